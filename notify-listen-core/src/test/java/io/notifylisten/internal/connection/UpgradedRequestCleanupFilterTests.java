package io.notifylisten.internal.connection;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class UpgradedRequestCleanupFilterTests {

	private final UpgradedRequestCleanupFilter filter = new UpgradedRequestCleanupFilter();

	private final MockHttpServletRequest request = new MockHttpServletRequest("GET", "/notify-listen/ws");

	private final MockHttpServletResponse response = new MockHttpServletResponse();

	@Test
	void anUpgradedRequestLosesWhatTheChainSetAndKeepsWhatWasThereAndJettysOwn() throws Exception {
		this.request.setAttribute("container.before", "kept");
		this.filter.doFilter(this.request, this.response, chain(HttpServletResponse.SC_SWITCHING_PROTOCOLS));

		assertThat(this.request.getAttribute("container.before")).isEqualTo("kept");
		assertThat(this.request.getAttribute("org.eclipse.jetty.server.HttpStream.upgradeConnection"))
			.isEqualTo("connection");
		assertThat(this.request.getAttribute("org.springframework.web.filter.ServerHttpObservationFilter.observation"))
			.isNull();
		assertThat(this.request.getAttribute("_csrf")).isNull();
	}

	@Test
	void aRequestThatWasNotUpgradedKeepsItsAttributes() throws Exception {
		this.filter.doFilter(this.request, this.response, chain(HttpServletResponse.SC_FORBIDDEN));

		assertThat(this.request.getAttribute("org.springframework.web.filter.ServerHttpObservationFilter.observation"))
			.isEqualTo("observation");
		assertThat(this.request.getAttribute("_csrf")).isEqualTo("token");
	}

	@Test
	void aWebSocketOverHttp2IsUpgradedWithAConnectAnsweredWith200() throws Exception {
		MockHttpServletRequest connect = new MockHttpServletRequest("CONNECT", "/notify-listen/ws");
		this.filter.doFilter(connect, this.response, chain(HttpServletResponse.SC_OK));

		assertThat(connect.getAttribute("_csrf")).isNull();
	}

	@Test
	void anOrdinaryRequestAnsweredWith200KeepsItsAttributes() throws Exception {
		this.filter.doFilter(this.request, this.response, chain(HttpServletResponse.SC_OK));

		assertThat(this.request.getAttribute("_csrf")).isEqualTo("token");
	}

	// What the application's filters and Jetty's upgrade set while the request is
	// handled.
	private static FilterChain chain(int status) {
		return (request, response) -> {
			request.setAttribute("org.springframework.web.filter.ServerHttpObservationFilter.observation",
					"observation");
			request.setAttribute("_csrf", "token");
			request.setAttribute("org.eclipse.jetty.server.HttpStream.upgradeConnection", "connection");
			((HttpServletResponse) response).setStatus(status);
		};
	}

}
