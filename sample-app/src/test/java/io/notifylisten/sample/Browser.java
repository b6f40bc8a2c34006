package io.notifylisten.sample;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One headless Chromium with its own profile, so two of them are two users with two
 * cookie jars. It runs the Debian chromium and chromedriver named here, so Selenium
 * Manager never downloads a browser or a driver; every wait is bounded.
 */
final class Browser implements AutoCloseable {

	static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

	private static final String CHROMIUM = "/usr/bin/chromium";

	private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

	static {
		System.setProperty("SE_AVOID_STATS", "true");
	}

	private final String baseUrl;

	private final Path profile;

	private final ChromeDriverService service;

	private final ChromeDriver driver;

	private Browser(String baseUrl) {
		this.baseUrl = baseUrl;
		try {
			this.profile = Files.createTempDirectory("notify-listen-chromium-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
				"--disable-dev-shm-usage", "--no-first-run", "--disable-component-update", "--disable-sync",
				"--window-size=1100,800", "--user-data-dir=" + this.profile);
		// The page's console, for a failure's message: what the client logged and what
		// the browser refused.
		LoggingPreferences logging = new LoggingPreferences();
		logging.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logging);
		this.service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
			.usingAnyFreePort()
			.build();
		this.driver = new ChromeDriver(this.service, options);
		this.driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
		this.driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
	}

	/**
	 * Start a browser for an application.
	 * @param baseUrl for example {@code http://127.0.0.1:8080}
	 * @return the browser
	 */
	static Browser start(String baseUrl) {
		if (!new File(CHROMIUM).canExecute() || !new File(CHROMEDRIVER).canExecute()) {
			String help = "No " + CHROMIUM + " or " + CHROMEDRIVER + ": install Debian's chromium and "
					+ "chromium-driver (.ci/run does) to run the browser tests";
			// Under CI a missing browser is a broken machine, not a reason to pass.
			if (System.getenv("CI") != null) {
				throw new IllegalStateException(help);
			}
			Assumptions.abort(help);
		}
		return new Browser(baseUrl);
	}

	/** Log in through the form login page. */
	Browser loginAs(String username) {
		this.driver.get(this.baseUrl + "/login");
		this.driver.findElement(By.id("username")).sendKeys(username);
		this.driver.findElement(By.id("password")).sendKeys("password");
		this.driver.findElement(By.cssSelector("form button[type=submit], form input[type=submit]")).click();
		waitUntil(DEFAULT_WAIT, () -> !this.driver.getCurrentUrl().contains("/login"));
		return this;
	}

	/**
	 * Open a page of the application and wait until its top bar shows who is logged in.
	 */
	Browser open(String path) {
		this.driver.get(this.baseUrl + path);
		waitFor(By.id("current-user"), DEFAULT_WAIT);
		return this;
	}

	/**
	 * Go to a page of any origin, without waiting for anything on it.
	 */
	Browser visit(String url) {
		this.driver.get(url);
		return this;
	}

	WebElement find(By by) {
		return this.driver.findElement(by);
	}

	WebElement waitFor(By by, Duration timeout) {
		return new WebDriverWait(this.driver, timeout).until(ExpectedConditions.visibilityOfElementLocated(by));
	}

	void waitForText(By by, String text, Duration timeout) {
		new WebDriverWait(this.driver, timeout).until(ExpectedConditions.textToBePresentInElementLocated(by, text));
	}

	/**
	 * Wait until the connection badge shows a state: connected, reconnecting, denied, ...
	 */
	void waitForBadge(String state, Duration timeout) {
		new WebDriverWait(this.driver, timeout)
			.withMessage(() -> "badge still '" + badge() + "' (" + find(By.id("connection-badge")).getAttribute("title")
					+ "); console: " + console())
			.until(ExpectedConditions.attributeToBe(By.id("connection-badge"), "data-state", state));
	}

	/**
	 * Wait until an element's attribute has a value; the failure names what it had, and
	 * the page's console.
	 */
	void waitForAttribute(By by, String attribute, String value, Duration timeout) {
		new WebDriverWait(this.driver, timeout)
			.withMessage(() -> attribute + " still '" + find(by).getAttribute(attribute) + "'; console: " + console())
			.until(ExpectedConditions.attributeToBe(by, attribute, value));
	}

	/**
	 * What the page wrote to its console, and what the browser reported there, so far.
	 */
	String console() {
		return this.driver.manage()
			.logs()
			.get(LogType.BROWSER)
			.getAll()
			.stream()
			.map((entry) -> entry.getLevel() + " " + entry.getMessage())
			.collect(Collectors.joining("\n", "\n", ""));
	}

	/**
	 * Every cookie the browser holds, of any site, as {@code name@domain}.
	 */
	List<String> cookies() {
		Map<String, Object> answer = this.driver.executeCdpCommand("Storage.getCookies", Map.of());
		List<?> cookies = (List<?>) answer.get("cookies");
		return cookies.stream()
			.map((cookie) -> (Map<?, ?>) cookie)
			.map((cookie) -> cookie.get("name") + "@" + cookie.get("domain"))
			.toList();
	}

	String badge() {
		return find(By.id("connection-badge")).getAttribute("data-state");
	}

	/**
	 * Run a script in every page opened from now on, before the page's own scripts.
	 */
	void beforeEachPage(String script) {
		this.driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", script));
	}

	Object script(String script, Object... args) {
		return ((JavascriptExecutor) this.driver).executeScript(script, args);
	}

	/** Count every notification the page receives from now on. */
	void countMessages() {
		script("window.receivedMessages = 0; NotifyListen.on('message', () => window.receivedMessages++);");
	}

	long receivedMessages() {
		return ((Number) script("return window.receivedMessages;")).longValue();
	}

	void waitUntil(Duration timeout, java.util.function.BooleanSupplier condition) {
		new WebDriverWait(this.driver, timeout).until((driver) -> condition.getAsBoolean());
	}

	void screenshot(Path file) {
		try {
			Files.createDirectories(file.getParent());
			File shot = this.driver.getScreenshotAs(OutputType.FILE);
			Files.copy(shot.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public void close() {
		try {
			this.driver.quit();
		}
		finally {
			this.service.stop();
			deleteProfile();
		}
	}

	private void deleteProfile() {
		try (Stream<Path> files = Files.walk(this.profile)) {
			files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException ex) {
			// A leftover temp directory is not worth failing a test for.
		}
	}

}
