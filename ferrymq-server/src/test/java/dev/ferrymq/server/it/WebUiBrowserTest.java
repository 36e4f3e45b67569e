package dev.ferrymq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser: headless Chromium driven through chromedriver (Debian packages {@code chromium}
 * and {@code chromium-driver}, found on PATH; other paths with {@code -Dferrymq.chromium=...} and
 * {@code -Dferrymq.chromedriver=...}). With {@code CI=true} a missing browser fails the test (the build's
 * ensure-chromium profile installs it first); elsewhere the test is skipped, saying how to install it.
 */
class WebUiBrowserTest {
    private static final File CHROMIUM = executable("ferrymq.chromium", "chromium");
    private static final File CHROMEDRIVER = executable("ferrymq.chromedriver", "chromedriver");

    private BrokerUnderTest broker;
    private WebDriver browser;
    private WebDriverWait wait;

    @BeforeEach
    void startBrokerAndBrowser() throws Exception {
        if (!CHROMIUM.canExecute() || !CHROMEDRIVER.canExecute()) {
            String missing = "no headless browser: needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian: apt-get install -y chromium chromium-driver)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(missing + "; with CI=true the web UI must be tested, not skipped");
            }
            assumeTrue(false, missing);
        }
        broker = BrokerUnderTest.start();
        assumeTrue(!broker.isExternal(), "the web UI is FerryMQ's own");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1000");
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void logInSeeTheQueuePublishAndGetAMessageBack() throws Exception {
        String queue = "it.ui." + System.nanoTime();
        try (Connection connection = broker.connectionFactory().newConnection();
             Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, null);
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                    "from amqp".getBytes(StandardCharsets.UTF_8));

            browser.get("http://127.0.0.1:" + broker.server().managementPort() + "/");
            logIn("guest", "wrong");
            wait.until(ExpectedConditions.textToBe(By.id("loginError"), "Login failed"));
            logIn("guest", "guest");

            WebElement link = wait.until(ExpectedConditions.elementToBeClickable(By.linkText(queue)));
            assertThat(browser.findElement(By.id("who")).getText()).isEqualTo("guest (administrator)");
            assertThat(browser.findElement(By.id("totals")).getText()).contains("Queues");
            link.click();

            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("queuePage")));
            assertThat(browser.getCurrentUrl()).endsWith("#/queues/%2F/" + queue);
            assertThat(browser.findElement(By.id("qname")).getText()).startsWith(queue);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("qdetails"), "Ready\n1"));

            browser.findElement(By.id("pubBody")).sendKeys("hello from the browser");
            browser.findElement(By.cssSelector("#publish button")).click();
            wait.until(ExpectedConditions.textToBe(By.id("pubResult"), "Message published."));

            WebElement count = browser.findElement(By.id("getCount"));
            count.clear();
            count.sendKeys("5");
            browser.findElement(By.cssSelector("#get button")).click();
            wait.until(ExpectedConditions.textToBe(By.id("getResult"), "2 messages."));
            assertThat(browser.findElement(By.id("got")).getText())
                    .contains("from amqp").contains("hello from the browser");
            assertThat(channel.basicGet(queue, true)).as("the get form acknowledged both").isNull();

            channel.queueDelete(queue);
            wait.until(ExpectedConditions.textToBe(By.id("error"), "Not Found"));
        }
        assertThat(consoleErrors()).isEmpty();
    }

    @Test
    void queueListShowsOnePageFromTheServerWithPagerAndNameFilter() throws Exception {
        try (Connection connection = broker.connectionFactory().newConnection();
             Channel channel = connection.createChannel()) {
            for (int i = 0; i < 150; i++) {
                channel.queueDeclare(String.format("it.page.%03d", i), false, false, false, null);
            }
            browser.get("http://127.0.0.1:" + broker.server().managementPort() + "/");
            logIn("guest", "guest");
            By pager = By.cssSelector(".pager[data-list=queues] span");
            wait.until(ExpectedConditions.textToBe(pager, "1–100 of 150"));
            assertThat(browser.findElements(By.cssSelector("#queues tr"))).as("header and one page").hasSize(101);

            browser.findElement(By.cssSelector(".pager[data-list=queues] button[data-step='1']")).click();
            wait.until(ExpectedConditions.textToBe(pager, "101–150 of 150"));
            assertThat(browser.findElement(By.id("queues")).getText()).contains("it.page.149")
                    .doesNotContain("it.page.099");

            browser.findElement(By.cssSelector(".pager[data-list=queues] input")).sendKeys("PAGE.042");
            wait.until(ExpectedConditions.textToBe(pager, "1–1 of 1 (150 in all)"));
            assertThat(browser.findElements(By.linkText("it.page.042"))).hasSize(1);
        }
        assertThat(consoleErrors()).isEmpty();
    }

    /** The {@code property}'s path if set, else {@code name} found on PATH, else a file that does not exist. */
    private static File executable(String property, String name) {
        String configured = System.getProperty(property);
        if (configured != null) {
            return new File(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File candidate = new File(dir, name);
            if (!dir.isEmpty() && candidate.canExecute()) {
                return candidate;
            }
        }
        return new File("(" + name + " not on PATH)");
    }

    private void logIn(String user, String password) {
        WebElement userField = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("user")));
        userField.clear();
        userField.sendKeys(user);
        WebElement passwordField = browser.findElement(By.id("pass"));
        passwordField.clear();
        passwordField.sendKeys(password);
        browser.findElement(By.cssSelector("#login button")).click();
    }

    /** Browser console errors, except the failed requests this test provokes (wrong password, deleted queue). */
    private List<String> consoleErrors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.contains("status of 401") && !m.contains("status of 404"))
                .toList();
    }
}
