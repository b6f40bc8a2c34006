package io.notifylisten.internal.delivery;

import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.internal.channel.ChannelDestinations;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.connection.ConnectionRegistry;
import io.notifylisten.internal.connection.ListenerConnection;
import io.notifylisten.internal.history.RecoveryInterceptor;
import io.notifylisten.internal.listen.NotifyListenHandlers;
import io.notifylisten.internal.notify.Targeting;
import io.notifylisten.internal.security.ListenAuthorizer;
import io.notifylisten.internal.sse.SseStreams;
import io.notifylisten.internal.transport.DeliveryOutcomes;
import io.notifylisten.listen.NotifyListen;
import io.notifylisten.notify.NotifyMessage;
import io.notifylisten.security.EntityAccessPolicy;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.convert.support.DefaultConversionService;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.simp.SimpMessageHeaderAccessor;
import org.springframework.messaging.simp.SimpMessageType;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ReflectionUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Deliveries}: what a connection gets of a message on every route, and
 * what the meters hear of it.
 */
class DeliveriesTests {

	private static final String LISTEN_ROLE = "NOTIFY_LISTEN_USER";

	private final ChannelDestinations destinations = new ChannelDestinations("shop");

	private final JsonMapper jsonMapper = JsonMapper.builder().findAndAddModules().build();

	private final ConnectionRegistry connections = new ConnectionRegistry();

	// bob may not read Order 3; nobody may read Secret anything.
	private final EntityAccessPolicy policy = (user, entity, id) -> !entity.equals("Secret")
			&& !(user.getName().equals("bob") && entity.equals("Order") && id.equals("3"));

	private final NotifyListenHandlers handlers = new NotifyListenHandlers(new DefaultConversionService(), null);

	private final RecordedOutcomes outcomes = new RecordedOutcomes();

	private static final Instant NOW = Instant.parse("2026-12-07T02:00:00Z");

	private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	private final Deliveries deliveries = new Deliveries(this.destinations, this.handlers, this.connections,
			new ListenAuthorizer(LISTEN_ROLE, this.policy, null), this.jsonMapper, this.outcomes, this.clock);

	private final ListenerConnection alice = connect("s-alice", "alice", LISTEN_ROLE, "ROLE_ADMIN");

	private final ListenerConnection bob = connect("s-bob", "bob", LISTEN_ROLE);

	private final ListenerConnection carol = connect("s-carol", "carol");

	@Test
	void deliversAChannelMessageUnchangedToAConnectionWhoseUserMayReadTheEntity() {
		Message<?> message = channelMessage("s-alice", new ChannelName("Order", "1", "refresh"));

		assertThat(this.deliveries.deliverable(message)).isSameAs(message);
		assertThat(this.outcomes.dropped).isEmpty();
	}

	@Test
	void dropsAChannelMessageAsDeniedWhereTheUserMayNotReadTheEntityNow() {
		Message<?> message = channelMessage("s-bob", new ChannelName("Order", "3", "refresh"));

		assertThat(this.deliveries.deliverable(message)).isNull();
		assertThat(this.outcomes.dropped).containsExactly(DeliveryOutcomes.DropReason.DENIED);
	}

	@Test
	void dropsAChannelMessageAsDeniedWhereTheUserLacksTheListenRole() {
		Message<?> message = channelMessage("s-carol", new ChannelName("Order", "1", "refresh"));

		assertThat(this.deliveries.deliverable(message)).isNull();
		assertThat(this.outcomes.dropped).containsExactly(DeliveryOutcomes.DropReason.DENIED);
	}

	@Test
	void dropsEveryMessageToAConnectionWhoseTokenHasExpiredBeforeItIsClosed() {
		this.alice.authenticatedByToken(this.alice.user(), NOW);
		ChannelName channel = new ChannelName("Order", "1", "refresh");

		assertThat(this.deliveries.deliverable(channelMessage("s-alice", channel))).isNull();
		assertThat(this.deliveries.mayDeliver("s-alice", channel)).isFalse();
		assertThat(this.outcomes.dropped).containsExactly(DeliveryOutcomes.DropReason.DENIED,
				DeliveryOutcomes.DropReason.DENIED);
	}

	@Test
	void deliversToAConnectionWhoseTokenHasNotExpiredYet() {
		this.alice.authenticatedByToken(this.alice.user(), NOW.plusSeconds(1));
		Message<?> message = channelMessage("s-alice", new ChannelName("Order", "1", "refresh"));

		assertThat(this.deliveries.deliverable(message)).isSameAs(message);
	}

	@Test
	void dropsAMessageAsClosedWhereTheConnectionIsGone() {
		this.connections.unregister("s-alice");
		Message<?> message = channelMessage("s-alice", new ChannelName("Order", "1", "refresh"));

		assertThat(this.deliveries.deliverable(message)).isNull();
		assertThat(this.deliveries.mayDeliver("s-alice", new ChannelName("Order", "1", "refresh"))).isFalse();
		assertThat(this.outcomes.dropped).containsExactly(DeliveryOutcomes.DropReason.CLOSED,
				DeliveryOutcomes.DropReason.CLOSED);
	}

	@Test
	void asksTheSameQuestionForTheDirectFanOut() {
		ChannelName readable = new ChannelName("Order", "1", "refresh");
		ChannelName forbidden = new ChannelName("Order", "3", "refresh");

		assertThat(this.deliveries.mayDeliver("s-bob", readable)).isTrue();
		assertThat(this.deliveries.mayDeliver("s-bob", forbidden)).isFalse();
		assertThat(this.deliveries.mayDeliver("s-carol", readable)).isFalse();
		assertThat(this.outcomes.dropped).containsExactly(DeliveryOutcomes.DropReason.DENIED,
				DeliveryOutcomes.DropReason.DENIED);
	}

	@Test
	void decidesForAnEventStreamAsForAWebSocket() {
		String stream = SseStreams.SESSION_PREFIX + "bob-1";
		connect(stream, "bob", LISTEN_ROLE);

		Message<?> readable = channelMessage(stream, new ChannelName("Order", "1", "refresh"));
		assertThat(this.deliveries.deliverable(readable)).isSameAs(readable);
		assertThat(this.deliveries.deliverable(channelMessage(stream, new ChannelName("Order", "3", "refresh"))))
			.isNull();
		assertThat(this.outcomes.dropped).containsExactly(DeliveryOutcomes.DropReason.DENIED);
	}

	@Test
	void deliversANoticeOnlyToWhoMayReadItsEntity() {
		String notice = this.destinations.noticeTopic();
		NotifyMessage aboutOrder3 = notification(new ChannelName("Order", "3", "banner"));

		assertThat(this.deliveries.deliverable(message("s-alice", notice, aboutOrder3, Map.of()))).isNotNull();
		assertThat(this.deliveries.deliverable(message("s-bob", notice, aboutOrder3, Map.of()))).isNull();
		assertThat(this.outcomes.dropped).containsExactly(DeliveryOutcomes.DropReason.DENIED);
	}

	@Test
	void deliversAUsersMessageOnlyWhereTheUserMayReadItsEntity() {
		String userTopic = this.destinations.userTopic("u1");

		assertThat(this.deliveries
			.deliverable(message("s-bob", userTopic, notification(new ChannelName("Order", "1", "mail")), Map.of())))
			.isNotNull();
		assertThat(this.deliveries
			.deliverable(message("s-bob", userTopic, notification(new ChannelName("Secret", "1", "mail")), Map.of())))
			.isNull();
	}

	@Test
	void skipsTheExcludedConnectionWithoutCountingItAsDropped() {
		Message<?> toOthers = message("s-alice", this.destinations.destinationOf(new ChannelName("Chat", "1", "line")),
				notification(new ChannelName("Chat", "1", "line")),
				Map.of(Targeting.EXCLUDE_HEADER, this.alice.connectionId()));

		assertThat(this.deliveries.deliverable(toOthers)).isNull();
		assertThat(this.outcomes.dropped).isEmpty();
	}

	@Test
	void removesTheTargetingHeadersFromWhatItDelivers() {
		Message<?> toOthers = message("s-bob", this.destinations.destinationOf(new ChannelName("Chat", "1", "line")),
				notification(new ChannelName("Chat", "1", "line")),
				Map.of(Targeting.EXCLUDE_HEADER, this.alice.connectionId()));

		Message<?> delivered = this.deliveries.deliverable(toOthers);

		assertThat(delivered).isNotNull();
		assertThat(SimpMessageHeaderAccessor.wrap(delivered).toNativeHeaderMap())
			.doesNotContainKey(Targeting.EXCLUDE_HEADER);
	}

	@Test
	void deliversAConnectionsMessageToThatConnectionAlone() {
		String notice = this.destinations.noticeTopic();
		NotifyMessage progress = notification(new ChannelName("Job", "7", "progress"));
		Map<String, String> toBob = Map.of(Targeting.CONNECTION_HEADER, this.bob.connectionId());

		assertThat(this.deliveries.deliverable(message("s-bob", notice, progress, toBob))).isNotNull();
		assertThat(this.deliveries.deliverable(message("s-alice", notice, progress, toBob))).isNull();
	}

	@Test
	void deliversARolesMessageOnlyToUsersInTheRole() {
		String notice = this.destinations.noticeTopic();
		NotifyMessage banner = notification(new ChannelName("Broadcast", "all", "banner"));
		Map<String, String> toAdmins = Map.of(Targeting.ROLE_HEADER, "ROLE_ADMIN");

		assertThat(this.deliveries.deliverable(message("s-alice", notice, banner, toAdmins))).isNotNull();
		assertThat(this.deliveries.deliverable(message("s-bob", notice, banner, toAdmins))).isNull();
		assertThat(this.outcomes.dropped).isEmpty();
	}

	@Test
	void showsWhoIsPresentOnAnObjectOnlyToWhoMayReadIt() {
		String members = this.destinations.destinationOf(new PresenceName("Order", "3"));
		Message<?> here = MessageBuilder.createMessage("{\"here\":[]}".getBytes(),
				headers("s-alice", members, Map.of()));
		Message<?> hereForBob = MessageBuilder.createMessage("{\"here\":[]}".getBytes(),
				headers("s-bob", members, Map.of()));

		assertThat(this.deliveries.deliverable(here)).isSameAs(here);
		assertThat(this.deliveries.deliverable(hereForBob)).isNull();
	}

	@Test
	void replacesTheMessageWithTheHandlersResultForThatConnection() throws Exception {
		register("refresh");
		Message<?> message = channelMessage("s-alice", new ChannelName("Order", "1", "refresh"));

		Message<?> delivered = this.deliveries.deliverable(message);

		assertThat(delivered).isNotNull();
		JsonNode body = this.jsonMapper.readTree((byte[]) delivered.getPayload());
		assertThat(body.path("entity").asString()).isEqualTo("Order");
		assertThat(body.path("result").path("seenBy").asString()).isEqualTo("alice");
		assertThat(body.path("result").path("runAs").asString()).isEqualTo("alice");
		assertThat(this.deliveries.deliversUnchanged(message, new ChannelName("Order", "1", "refresh"))).isFalse();
	}

	@Test
	void dropsTheMessageWhereTheHandlerDeniesIt() throws Exception {
		register("refresh");
		Message<?> message = channelMessage("s-bob", new ChannelName("Order", "1", "refresh"));

		assertThat(this.deliveries.deliverable(message)).isNull();
		assertThat(this.outcomes.dropped).containsExactly(DeliveryOutcomes.DropReason.DENIED);
	}

	@Test
	void deliversTheBareMessageWhereTheHandlerFails() throws Exception {
		register("archive");
		Message<?> message = channelMessage("s-alice", new ChannelName("Order", "1", "archive"));

		assertThat(this.deliveries.deliverable(message)).isSameAs(message);
	}

	@Test
	void passesARecoveryFrameWithoutRunningTheHandler() throws Exception {
		register("refresh");
		ChannelName channel = new ChannelName("Order", "1", "refresh");
		Message<?> recovery = message("s-alice", this.destinations.destinationOf(channel), notification(channel),
				Map.of(RecoveryInterceptor.RECOVERY_HEADER, "true"));

		assertThat(this.deliveries.deliverable(recovery)).isSameAs(recovery);
	}

	@Test
	void leavesTheApplicationsOwnDestinationsAlone() {
		Message<?> own = MessageBuilder.createMessage("hello".getBytes(), headers("s-carol", "/topic/chat", Map.of()));

		assertThat(this.deliveries.isNotification(own)).isFalse();
		assertThat(this.deliveries.deliverable(own)).isSameAs(own);
	}

	@Test
	void deliversUnchangedOnlyWithoutTargetingOrHandler() throws Exception {
		ChannelName refresh = new ChannelName("Order", "1", "refresh");
		Message<?> plain = channelMessage("s-alice", refresh);
		Message<?> targeted = message("s-alice", this.destinations.destinationOf(refresh), notification(refresh),
				Map.of(Targeting.EXCLUDE_HEADER, "c1"));

		assertThat(this.deliveries.deliversUnchanged(plain, refresh)).isTrue();
		assertThat(this.deliveries.deliversUnchanged(targeted, refresh)).isFalse();
	}

	@Test
	void tellsTheMetersOfEveryDelivery() {
		this.deliveries.delivered(new byte[] { 1 });
		this.deliveries.dropped(DeliveryOutcomes.DropReason.SLOW);

		assertThat(this.outcomes.delivered).isEqualTo(1);
		assertThat(this.outcomes.dropped).containsExactly(DeliveryOutcomes.DropReason.SLOW);
	}

	private void register(String action) {
		OrderHandlers bean = new OrderHandlers();
		var method = ReflectionUtils.findMethod(OrderHandlers.class, action, NotifyMessage.class, Principal.class);
		this.handlers.register(bean, method, method.getAnnotation(NotifyListen.class));
	}

	private ListenerConnection connect(String sessionId, String name, String... authorities) {
		Authentication user = UsernamePasswordAuthenticationToken.authenticated(name, "n/a",
				AuthorityUtils.createAuthorityList(authorities));
		return this.connections.register(sessionId, user, null, 10);
	}

	private Message<?> channelMessage(String sessionId, ChannelName channel) {
		return message(sessionId, this.destinations.destinationOf(channel), notification(channel), Map.of());
	}

	private Message<?> message(String sessionId, String destination, NotifyMessage notification,
			Map<String, String> nativeHeaders) {
		return MessageBuilder.createMessage(this.jsonMapper.writeValueAsBytes(notification),
				headers(sessionId, destination, nativeHeaders));
	}

	private static MessageHeaders headers(String sessionId, String destination, Map<String, String> nativeHeaders) {
		SimpMessageHeaderAccessor accessor = SimpMessageHeaderAccessor.create(SimpMessageType.MESSAGE);
		accessor.setSessionId(sessionId);
		accessor.setDestination(destination);
		nativeHeaders.forEach(accessor::setNativeHeader);
		accessor.setLeaveMutable(true);
		return accessor.getMessageHeaders();
	}

	private static NotifyMessage notification(ChannelName channel) {
		return new NotifyMessage(channel.entity(), channel.id(), channel.action(),
				Instant.parse("2026-01-01T00:00:00Z"), "dave", Map.of())
			.withSequence("e1", 1);
	}

	static class OrderHandlers {

		@NotifyListen(entity = "Order", action = "refresh")
		Map<String, String> refresh(NotifyMessage message, Principal principal) {
			if (principal.getName().equals("bob")) {
				throw new AccessDeniedException("Not for bob");
			}
			return Map.of("seenBy", principal.getName(), "runAs",
					SecurityContextHolder.getContext().getAuthentication().getName());
		}

		@NotifyListen(entity = "Order", action = "archive")
		@Nullable Object archive(NotifyMessage message, Principal principal) {
			throw new IllegalStateException("Archive unavailable");
		}

	}

	static final class RecordedOutcomes implements DeliveryMeters {

		private final List<DropReason> dropped = new ArrayList<>();

		private int delivered;

		@Override
		public void delivered(byte[] payload) {
			this.delivered++;
		}

		@Override
		public void dropped(DropReason reason) {
			this.dropped.add(reason);
		}

	}

}
