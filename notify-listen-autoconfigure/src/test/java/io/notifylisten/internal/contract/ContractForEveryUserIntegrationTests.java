package io.notifylisten.internal.contract;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import io.notifylisten.testapp.OrdersServerTest;
import io.notifylisten.testapp.OrdersTestApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code contract.listeners-only=false}, the application's security alone decides
 * who reads the contract: a logged-in user without the listen role does.
 */
@OrdersServerTest({ "notify-listen.key=contract-open", "notify-listen.contract.enabled=true",
		"notify-listen.contract.listeners-only=false" })
class ContractForEveryUserIntegrationTests {

	@LocalServerPort
	int port;

	@Test
	void aLoggedInUserWithoutTheListenRoleReadsIt() throws Exception {
		String credentials = OrdersTestApplication.CAROL + ":password";
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest
				.newBuilder(URI.create("http://localhost:" + this.port + ContractController.TYPESCRIPT_PATH))
				.header("Authorization",
						"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
				.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("export interface OrderRefreshMessage");
	}

}
