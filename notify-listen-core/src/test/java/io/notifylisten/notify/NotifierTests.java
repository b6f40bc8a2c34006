package io.notifylisten.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a notifier that implements only the two sending methods sends for a payload record
 * and for progress.
 */
class NotifierTests {

	private final List<Sent> sent = new ArrayList<>();

	private final Notifier notifier = new Notifier() {

		@Override
		public void notify(String entity, Object id, String action, Map<String, ?> payload) {
			NotifierTests.this.sent.add(new Sent(entity + "/" + id + "/" + action, payload));
		}

		@Override
		public void notifyUser(String username, String entity, Object id, String action, Map<String, ?> payload) {
		}

	};

	@Test
	void aPayloadRecordIsSentAsItsComponents() {
		this.notifier.notify("Order", 42, "refresh", new Change("PAID"));

		assertThat(this.sent).containsExactly(new Sent("Order/42/refresh", Map.of("status", "PAID")));
	}

	@Test
	void everyProgressMessageCarriesTheWholeProgressUpdate() {
		Progress progress = this.notifier.progress("Job", 7);
		progress.update(40, "copying");
		progress.busy("waiting for the printer");
		progress.failed("Printer on fire");

		assertThat(this.sent).containsExactly(
				new Sent("Job/7/progress", Map.of("percent", 40, "text", "copying", "busy", false)),
				new Sent("Job/7/progress", Map.of("percent", 40, "text", "waiting for the printer", "busy", true)),
				new Sent("Job/7/failed", Map.of("percent", 40, "text", "Printer on fire", "busy", false)));
	}

	record Change(String status) {
	}

	record Sent(String channel, Map<String, ?> payload) {
	}

}
