package io.notifylisten.sample;

import java.time.Duration;

import io.notifylisten.sample.security.DemoUsers;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-page app (sample-spa) in a browser, driven as its user would; the client's
 * state, connection id and count of state changes as the app shows them on
 * {@code #state}.
 */
final class SpaPage {

	private final Browser browser;

	SpaPage(Browser browser) {
		this.browser = browser;
	}

	/** Fill in and send the login form, without waiting for its outcome. */
	SpaPage submitLogin(String username) {
		this.browser.waitFor(By.id("username"), Browser.DEFAULT_WAIT).sendKeys(username);
		this.browser.find(By.id("password")).sendKeys(DemoUsers.PASSWORD);
		this.browser.find(By.id("login")).click();
		return this;
	}

	/** Log in and wait until the app shows who is logged in. */
	SpaPage logIn(String username) {
		submitLogin(username);
		this.browser.waitForText(By.id("current-user"), username, Browser.DEFAULT_WAIT);
		return this;
	}

	/**
	 * Open an order from the list and wait until it is live: the listen handle's ready
	 * has resolved, on a connected client.
	 */
	SpaPage openOrder(long id) {
		this.browser.waitFor(By.cssSelector("#order-row-" + id + " a"), Browser.DEFAULT_WAIT).click();
		this.browser.waitFor(By.id("order-details"), Browser.DEFAULT_WAIT);
		this.browser.waitFor(By.id("live"), Browser.DEFAULT_WAIT);
		assertThat(state()).isEqualTo("connected");
		return this;
	}

	String status() {
		return this.browser.find(By.id("order-status")).getText();
	}

	String changedBy() {
		return this.browser.find(By.id("order-changed-by")).getText();
	}

	void waitForStatus(String status, Duration timeout) {
		this.browser.waitForText(By.id("order-status"), status, timeout);
	}

	/**
	 * Save the open order with another status through the API, and wait for its answer.
	 */
	void save(String status) {
		new Select(this.browser.find(By.id("status-input"))).selectByVisibleText(status);
		this.browser.find(By.id("save-order")).click();
		this.browser.waitForText(By.id("save-result"), "Saved", Browser.DEFAULT_WAIT);
	}

	/** Log out and wait until the client is idle. */
	void logOut() {
		this.browser.find(By.id("logout")).click();
		this.browser.waitFor(By.id("login-form"), Browser.DEFAULT_WAIT);
		this.browser.waitForAttribute(By.id("state"), "data-state", "idle", Browser.DEFAULT_WAIT);
	}

	String state() {
		return this.browser.find(By.id("state")).getAttribute("data-state");
	}

	String connectionId() {
		return this.browser.find(By.id("state")).getAttribute("data-connection-id");
	}

	String stateChanges() {
		return this.browser.find(By.id("state")).getAttribute("data-changes");
	}

}
