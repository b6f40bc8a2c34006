package io.notifylisten.internal.web;

import java.security.Principal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.channel.InvalidChannelException;
import io.notifylisten.internal.security.FilterableFields;
import io.notifylisten.internal.channel.TypeChannel;
import io.notifylisten.internal.channel.TypeFilter;
import io.notifylisten.internal.security.BearerTokenAuthenticator;
import io.notifylisten.internal.security.ListenAuthorizer;
import io.notifylisten.internal.security.ListenDeniedException;
import io.notifylisten.internal.sse.SseStreams;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /notify-listen/sse/{entity}/{id}?events=refresh,deleted}: the channels
 * {@code entity/id/event} as a stream of Server-Sent Events named by action, with the
 * same checks as a STOMP SUBSCRIBE (login, listen role, entity access) and a 403 or 400
 * with a short JSON error. An id of {@code *} streams those actions on every object of
 * the entity ({@link TypeChannel}): the listen role is checked at once, and each object
 * at delivery; {@code where} filters them on declared payload fields, as the SUBSCRIBE
 * header of that name does.
 */
@RestController
public class SseController extends RefusingController {

	/** Path of the stream endpoint, below which the entity and id follow. */
	public static final String PATH = "/notify-listen/sse";

	private final SseStreams streams;

	private final ListenAuthorizer authorizer;

	private final int maxEvents;

	private final int maxConnectionsPerUser;

	private final @Nullable BearerTokenAuthenticator tokens;

	private final FilterableFields filterable;

	/**
	 * Create the controller.
	 * @param streams the open streams
	 * @param authorizer checks the listen role and entity access
	 * @param maxEvents the most events one stream may name
	 * @param maxConnectionsPerUser the most connections one user may hold
	 * @param tokens tells when the bearer token of a request expires, or {@code null}
	 * @param filterable the payload fields listeners to a type may filter on where no
	 * tokens are taken
	 */
	public SseController(SseStreams streams, ListenAuthorizer authorizer, int maxEvents, int maxConnectionsPerUser,
			@Nullable BearerTokenAuthenticator tokens, FilterableFields filterable) {
		this.tokens = tokens;
		this.filterable = filterable;
		this.streams = streams;
		this.authorizer = authorizer;
		this.maxEvents = maxEvents;
		this.maxConnectionsPerUser = maxConnectionsPerUser;
	}

	@GetMapping(PATH + "/{entity}/{id}")
	SseEmitter stream(@PathVariable String entity, @PathVariable String id, @RequestParam String events,
			@RequestParam(required = false) @Nullable String where,
			@RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId,
			@Nullable Principal principal, HttpServletRequest request) {
		Authentication user = ListenAuthorizer.requireLogin(principal);
		HttpSession session = request.getSession(false);
		String httpSessionId = (session != null) ? session.getId() : null;
		Instant tokenExpiresAt = (this.tokens != null) ? this.tokens.expiresAt(user) : null;
		SseEmitter emitter;
		if (TypeChannel.ANY_ID.equals(id)) {
			List<TypeChannel> types = distinct(events, (action) -> new TypeChannel(entity, action));
			Map<TypeChannel, TypeFilter> filters = new LinkedHashMap<>();
			if (where != null) {
				types.forEach((type) -> filters.put(type, this.filterable.parse(type, where)));
			}
			this.authorizer.checkRole(user);
			emitter = this.streams.openTypes(user, httpSessionId, types, filters, lastEventId,
					this.maxConnectionsPerUser, tokenExpiresAt);
		}
		else {
			FilterableFields.refuseForOneObject(where);
			List<ChannelName> channels = distinct(events, (action) -> new ChannelName(entity, id, action));
			channels.forEach((channel) -> this.authorizer.check(user, channel));
			emitter = this.streams.open(user, httpSessionId, channels, lastEventId, this.maxConnectionsPerUser,
					tokenExpiresAt);
		}
		if (emitter == null) {
			throw new ListenDeniedException("Too many connections");
		}
		return emitter;
	}

	private <T> List<T> distinct(String events, Function<String, T> channelOfAction) {
		List<T> channels = new ArrayList<>();
		for (String action : events.split(",")) {
			T channel = channelOfAction.apply(action.strip());
			if (!channels.contains(channel)) {
				channels.add(channel);
			}
		}
		if (channels.size() > this.maxEvents) {
			throw new InvalidChannelException("At most " + this.maxEvents + " events per stream");
		}
		return channels;
	}

}
