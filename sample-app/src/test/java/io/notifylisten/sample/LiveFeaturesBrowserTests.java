package io.notifylisten.sample;

import java.nio.file.Path;
import java.time.Duration;

import io.notifylisten.sample.security.DemoUsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chat room, the long-running job and the admin banner, each seen live in a real
 * browser.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Timeout(90)
class LiveFeaturesBrowserTests {

	@LocalServerPort
	private int port;

	@Test
	void jobProgressBarReachesOneHundredPercent() {
		try (Browser alice = Browser.start(baseUrl())) {
			alice.loginAs(DemoUsers.ALICE).open("/jobs");
			alice.waitForBadge("connected", Browser.DEFAULT_WAIT);
			alice.find(By.id("start-job")).click();
			// Somewhere in between first: the bar moves, it does not just jump to the
			// end.
			alice.waitUntil(Browser.DEFAULT_WAIT, () -> {
				String percent = alice.find(By.id("job-percent")).getText();
				return !percent.equals("0%") && !percent.equals("100%");
			});
			alice.waitForText(By.id("job-percent"), "100%", Duration.ofSeconds(15));
			alice.waitForText(By.id("job-text"), "Finished", Duration.ofSeconds(5));
			alice.waitUntil(Duration.ofSeconds(2),
					() -> alice.find(By.id("job-bar")).getAttribute("style").contains("width: 100%"));
			alice.screenshot(Path.of("target", "screenshots", "jobs-page.png"));
		}
	}

	@Test
	void chatLineAppearsForTheOtherUser() {
		String line = "Hello bob, it is " + System.nanoTime();
		try (Browser alice = Browser.start(baseUrl()); Browser bob = Browser.start(baseUrl())) {
			alice.loginAs(DemoUsers.ALICE).open("/chat");
			bob.loginAs(DemoUsers.BOB).open("/chat");
			alice.waitForBadge("connected", Browser.DEFAULT_WAIT);
			bob.waitForBadge("connected", Browser.DEFAULT_WAIT);

			alice.find(By.id("chat-text")).sendKeys(line);
			alice.find(By.id("chat-send")).click();

			bob.waitForText(By.id("chat-lines"), line, Duration.ofSeconds(3));
			assertThat(bob.find(By.id("chat-lines")).getText()).contains(DemoUsers.ALICE);
			bob.screenshot(Path.of("target", "screenshots", "chat-page.png"));
		}
	}

	@Test
	void adminBannerAppearsOnEveryOpenPage() {
		String text = "Maintenance at " + System.nanoTime();
		try (Browser alice = Browser.start(baseUrl()); Browser bob = Browser.start(baseUrl())) {
			alice.loginAs(DemoUsers.ALICE).open("/admin");
			bob.loginAs(DemoUsers.BOB).open("/orders/1");
			alice.waitForBadge("connected", Browser.DEFAULT_WAIT);
			bob.waitForBadge("connected", Browser.DEFAULT_WAIT);

			alice.find(By.id("banner-text")).sendKeys(text);
			alice.find(By.id("send-banner")).click();

			bob.waitForText(By.id("banner"), text, Duration.ofSeconds(3));
			alice.waitForText(By.id("banner"), text, Duration.ofSeconds(3));
			bob.screenshot(Path.of("target", "screenshots", "banner.png"));
		}
	}

	private String baseUrl() {
		return "http://127.0.0.1:" + this.port;
	}

}
