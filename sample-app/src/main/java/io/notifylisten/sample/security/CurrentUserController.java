package io.notifylisten.sample.security;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/me}: who is logged in, and the CSRF token the page's own POSTs must
 * carry. Pages are static HTML, so this is where they learn both; they ask again after a
 * reconnect, because a server restart means a new session and a new token.
 * {@code GET /api/csrf}: the token alone, for a single-page app's login form. Where
 * bearer tokens authenticate there is no CSRF protection, and no token in the answer.
 */
@RestController
class CurrentUserController {

	@GetMapping("/api/me")
	Map<String, Object> me(Authentication user, @Nullable CsrfToken csrf) {
		boolean admin = user.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.anyMatch("ROLE_ADMIN"::equals);
		return (csrf != null) ? Map.of("username", user.getName(), "admin", admin, "csrf", csrf(csrf))
				: Map.of("username", user.getName(), "admin", admin);
	}

	@GetMapping("/api/csrf")
	Map<String, String> csrf(CsrfToken csrf) {
		return Map.of("headerName", csrf.getHeaderName(), "token", csrf.getToken());
	}

}
