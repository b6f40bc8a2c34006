package io.notifylisten.internal.web;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.util.UriComponents;
import org.springframework.web.util.UriComponentsBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Which {@code Origin} headers get past {@link CrossOriginFilter}: those a browser sends,
 * and of them none that Spring's origin checks, which run after it, would throw on; and
 * of those, only the allowed ones.
 */
class CrossOriginFilterTests {

	private static final List<String> SENT_BY_BROWSERS = List.of("https://spa.example", "http://localhost:5173",
			"http://127.0.0.1:8080", "http://[::1]:8080", "https://xn--bcher-kva.example", "null");

	@Test
	void originsThatBrowsersSendAreWellFormed() {
		assertThat(SENT_BY_BROWSERS).allMatch(CrossOriginFilter::isWellFormed);
	}

	@Test
	void anythingElseIsMalformed() {
		assertThat(List.of("http://a:b", "http://spa.example:5173.evil.com", "http://a:{port}", "http://{host}",
				"http://a b", "https://user@spa.example", "https://spa.example/path", "https://spa.example?x",
				"spa.example", "", "http://a:123456", "javascript:alert(1)"))
			.noneMatch(CrossOriginFilter::isWellFormed);
	}

	// The parse of WebUtils.isSameOrigin and CorsUtils.isCorsRequest.
	@Test
	void springParsesEveryWellFormedOrigin() {
		for (String origin : SENT_BY_BROWSERS) {
			assertThatNoException().as(origin).isThrownBy(() -> {
				UriComponents parsed = UriComponentsBuilder.fromUriString(origin).build();
				parsed.getPort();
			});
		}
	}

	// Without allowed-origins only the application's own pages may listen; a page
	// elsewhere learns why rather than seeing a failed fetch.
	@Test
	void aPageOnAnotherOriginIsToldItIsNotAllowedWhereNoOriginIsAllowed() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/rest/pusher/key");
		request.setServerName("shop.example");
		request.addHeader("Origin", "https://spa.example");
		MockHttpServletResponse response = new MockHttpServletResponse();
		MockFilterChain chain = new MockFilterChain();

		new CrossOriginFilter(null, null).doFilter(request, response, chain);

		assertThat(chain.getRequest()).isNull();
		assertThat(response.getStatus()).isEqualTo(403);
		assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://spa.example");
		assertThat(response.getContentAsString()).isEqualTo(CrossOriginFilter.ORIGIN_NOT_ALLOWED);
	}

	@Test
	void thePagesOfTheApplicationsOwnOriginPass() throws Exception {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/rest/pusher/key");
		request.setServerName("shop.example");
		request.addHeader("Origin", "http://shop.example");
		MockFilterChain chain = new MockFilterChain();

		new CrossOriginFilter(null, null).doFilter(request, new MockHttpServletResponse(), chain);

		assertThat(chain.getRequest()).isSameAs(request);
	}

}
