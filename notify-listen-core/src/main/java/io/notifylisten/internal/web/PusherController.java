package io.notifylisten.internal.web;

import java.security.Principal;
import java.util.Map;

import io.notifylisten.channel.ChannelName;
import io.notifylisten.channel.InvalidChannelException;
import io.notifylisten.internal.channel.ConnectionId;
import io.notifylisten.internal.security.FilterableFields;
import io.notifylisten.internal.channel.PresenceName;
import io.notifylisten.internal.channel.TypeChannel;
import io.notifylisten.internal.channel.TypeFilter;
import io.notifylisten.internal.security.BearerTokenAuthenticator;
import io.notifylisten.internal.security.ListenAuthorizer;
import io.notifylisten.internal.security.ListenDeniedException;
import io.notifylisten.internal.security.SubscriptionSigner;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /rest/pusher/key} returns the public {@link ClientSettings}; {@code POST
 * /rest/pusher/auth} signs a subscription, as Pusher's auth endpoint does, for a
 * logged-in user who holds the listen role and may read the entity. Refusals are a 403
 * with a short JSON error.
 */
@RestController
public class PusherController extends RefusingController {

	/** Path of the settings endpoint. */
	public static final String KEY_PATH = "/rest/pusher/key";

	/** Path of the signing endpoint. */
	public static final String AUTH_PATH = "/rest/pusher/auth";

	private final ClientSettings settings;

	private final ListenAuthorizer authorizer;

	private final SubscriptionSigner signer;

	private final FilterableFields filterable;

	public PusherController(ClientSettings settings, ListenAuthorizer authorizer, SubscriptionSigner signer,
			FilterableFields filterable) {
		this.settings = settings;
		this.authorizer = authorizer;
		this.signer = signer;
		this.filterable = filterable;
	}

	@GetMapping(path = KEY_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	ClientSettings key(HttpServletRequest request) {
		CsrfToken csrf = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
		// A page that authenticates with a bearer token needs no CSRF token, and asking
		// for one would open an HTTP session to keep it in.
		if (csrf == null || BearerTokenAuthenticator.tokenOf(request.getHeader(HttpHeaders.AUTHORIZATION)) != null) {
			return this.settings;
		}
		ClientSettings.Csrf token = new ClientSettings.Csrf(csrf.getHeaderName(), csrf.getToken());
		return new ClientSettings(this.settings.key(), this.settings.endpoint(), this.settings.authEndpoint(),
				this.settings.channelFormat(), this.settings.destinationFormat(),
				this.settings.presenceDestinationFormat(), this.settings.signatureRequired(),
				this.settings.heartbeatOutgoing(), this.settings.heartbeatIncoming(), token);
	}

	/**
	 * Sign a subscription. Parameter names are Pusher's, so its clients work unchanged.
	 * @param connectionId the connection id from the CONNECTED frame
	 * @param channel the channel, {@code entity/id/action}, a type channel,
	 * <code>entity/&#42;/action</code>, the same with a filter,
	 * <code>entity/&#42;/action?{"field":value}</code>, or a presence,
	 * {@code presence-entity/id}
	 * @param principal the logged-in user
	 * @return {@code {"auth": "key:signature"}}
	 */
	@PostMapping(path = AUTH_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, String> auth(@RequestParam("socket_id") String connectionId,
			@RequestParam("channel_name") String channel, @Nullable Principal principal) {
		Authentication user = ListenAuthorizer.requireLogin(principal);
		if (!ConnectionId.isValid(connectionId)) {
			throw new InvalidChannelException("Invalid socket_id");
		}
		if (PresenceName.isPresence(channel)) {
			// As SUBSCRIBE would refuse it: a signature for what does not exist is of no
			// use.
			if (this.settings.presenceDestinationFormat() == null) {
				throw new ListenDeniedException("Presence is off");
			}
			PresenceName presence = PresenceName.parse(channel);
			this.authorizer.check(user, presence.readCheck());
			return Map.of("auth", this.signer.sign(connectionId, presence.toString()));
		}
		int query = channel.indexOf('?');
		TypeChannel type = TypeChannel.parseOrNull((query >= 0) ? channel.substring(0, query) : channel);
		if (type != null) {
			// Every object of the type is checked at delivery, each for itself.
			this.authorizer.checkRole(user);
			TypeFilter filter = (query >= 0) ? this.filterable.parse(type, channel.substring(query + 1)) : null;
			// The filter as the server reads it, so that the client's spelling of the
			// same filter gets the same signature.
			return Map.of("auth", this.signer.sign(connectionId, TypeFilter.signedName(type, filter)));
		}
		ChannelName channelName = ChannelName.parse(channel);
		this.authorizer.check(user, channelName);
		return Map.of("auth", this.signer.sign(connectionId, channelName.toString()));
	}

	@ExceptionHandler(MissingServletRequestParameterException.class)
	ResponseEntity<Map<String, String>> missing(MissingServletRequestParameterException ex) {
		return JsonError.of(HttpStatus.BAD_REQUEST, "Missing parameter " + ex.getParameterName());
	}

}
