package io.notifylisten.internal.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import io.notifylisten.internal.security.RefusalLog;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsProcessor;
import org.springframework.web.cors.CorsUtils;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The {@code Origin} header of notify-listen's own paths, handled before the
 * application's security runs: a malformed origin is refused with a 403 (Spring's origin
 * checks throw on one, which would be a 500 with a stack trace), a page on an origin that
 * is not allowed with a 403 {@value #ORIGIN_NOT_ALLOWED} it may read, and the CORS
 * requests of the allowed origins are answered, preflights included (a preflight carries
 * no credentials, so a security chain that wants a login would refuse it, and the page
 * could never make the request it asks about).
 */
public class CrossOriginFilter extends OncePerRequestFilter {

	/** The reason a malformed origin is given. */
	public static final String MALFORMED_ORIGIN = "Malformed Origin";

	/** The reason a page on an origin that is not allowed is given. */
	public static final String ORIGIN_NOT_ALLOWED = "Origin not allowed";

	// What a browser sends (RFC 6454): "null", or scheme://host with an optional port;
	// the host a DNS name (IDNs arrive in punycode) or an IP literal. Nothing else has
	// come from a browser.
	private static final Pattern SERIALIZED_ORIGIN = Pattern.compile(
			"null|[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.?|\\[[0-9A-Fa-f:.]+])(:[0-9]{1,5})?");

	private static final byte[] MALFORMED_ORIGIN_BODY = ("{\"error\":\"" + MALFORMED_ORIGIN + "\"}")
		.getBytes(StandardCharsets.UTF_8);

	private static final byte[] ORIGIN_NOT_ALLOWED_BODY = ORIGIN_NOT_ALLOWED.getBytes(StandardCharsets.UTF_8);

	private final @Nullable CorsConfiguration allowedOrigins;

	private final @Nullable RefusalLog refusals;

	private final CorsProcessor processor = new DefaultCorsProcessor();

	/**
	 * Create the filter.
	 * @param allowedOrigins the origins allowed besides the application's own, with the
	 * methods and headers their pages may use, or {@code null} where no other origin is
	 * allowed
	 * @param refusals where malformed origins are counted, or {@code null}
	 */
	public CrossOriginFilter(@Nullable CorsConfiguration allowedOrigins, @Nullable RefusalLog refusals) {
		this.allowedOrigins = allowedOrigins;
		this.refusals = refusals;
	}

	/**
	 * Whether an {@code Origin} header is one a browser could have sent.
	 * @param origin the header's value
	 * @return whether it is well formed
	 */
	public static boolean isWellFormed(String origin) {
		return SERIALIZED_ORIGIN.matcher(origin).matches();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String origin = request.getHeader(HttpHeaders.ORIGIN);
		if (origin != null && !isWellFormed(origin)) {
			if (this.refusals != null) {
				this.refusals.refused(MALFORMED_ORIGIN, request.getMethod() + " " + request.getRequestURI());
			}
			response.setStatus(HttpStatus.FORBIDDEN.value());
			response.setContentType(MediaType.APPLICATION_JSON_VALUE);
			response.getOutputStream().write(MALFORMED_ORIGIN_BODY);
			return;
		}
		if (origin != null && CorsUtils.isCorsRequest(request)
				&& (this.allowedOrigins == null || this.allowedOrigins.checkOrigin(origin) == null)) {
			refuseOrigin(request, response, origin);
			return;
		}
		if (this.allowedOrigins != null) {
			boolean allowed = this.processor.processRequest(this.allowedOrigins, request, response);
			if (!allowed || CorsUtils.isPreFlightRequest(request)) {
				return;
			}
		}
		chain.doFilter(request, response);
	}

	// The page may read this refusal and nothing else: the origin is allowed to see the
	// 403 and its reason, without credentials, so that the page can say why it gets
	// nothing. A preflight gets no such header, so the request it asks about is never
	// made.
	private void refuseOrigin(HttpServletRequest request, HttpServletResponse response, String origin)
			throws IOException {
		if (this.refusals != null) {
			this.refusals.refused(ORIGIN_NOT_ALLOWED, request.getMethod() + " " + request.getRequestURI());
		}
		response.setStatus(HttpStatus.FORBIDDEN.value());
		response.addHeader(HttpHeaders.VARY, HttpHeaders.ORIGIN);
		if (!CorsUtils.isPreFlightRequest(request)) {
			response.setHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
		}
		response.setContentType(MediaType.TEXT_PLAIN_VALUE);
		response.getOutputStream().write(ORIGIN_NOT_ALLOWED_BODY);
	}

}
