package io.notifylisten.autoconfigure;

import io.notifylisten.notify.LoggedNotification;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.notify.ProgressUpdate;
import io.notifylisten.presence.PresenceMember;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In a native image, Jackson reaches what notify-listen writes and reads as JSON only
 * through the runtime hints its {@code aot.factories} registers.
 */
class NotifyListenRuntimeHintsTests {

	private final RuntimeHints hints = new RuntimeHints();

	NotifyListenRuntimeHintsTests() {
		AotServices.factories()
			.load(RuntimeHintsRegistrar.class)
			.forEach((registrar) -> registrar.registerHints(this.hints, getClass().getClassLoader()));
	}

	@Test
	void notificationsAreWrittenAndReadBack() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection().onType(NotifyMessage.class)).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(NotifyMessage.class, "changedAt"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onConstructorInvocation(NotifyMessage.class.getDeclaredConstructors()[0])).accepts(this.hints);
	}

	@Test
	void theRecoveryFrameTheClientSettingsAndMembersAreWritten() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation("io.notifylisten.internal.history.ChannelHistory$Recovery", "messages"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation("io.notifylisten.internal.web.ClientSettings", "presenceDestinationFormat"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(PresenceMember.class, "avatarUrl"))
			.accepts(this.hints);
	}

	@Test
	void progressUpdatesAreReadAsPayloads() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(ProgressUpdate.class, "percent"))
			.accepts(this.hints);
	}

	@Test
	void theStreamsRecordsAreWrittenAndReadBack() throws Exception {
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(TypeReference.of("io.notifylisten.internal.log.StreamRecord"))).accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onMethodInvocation("io.notifylisten.internal.log.StreamRecord", "destination")).accepts(this.hints);
	}

	@Test
	void theOutboxsScriptsAreReadAndItsRowsWrittenAndReadBack() throws Exception {
		assertThat(RuntimeHintsPredicates.resource().forResource("io/notifylisten/outbox/schema-postgresql.sql"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(LoggedNotification.class, "destination"))
			.accepts(this.hints);
	}

}
