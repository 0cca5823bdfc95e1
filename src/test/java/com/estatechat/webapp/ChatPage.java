package com.estatechat.webapp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The chat page in its own headless chromium, seen as a user sees it: what it shows is read in
 * one script call per check, so a re-render in between never gives a half-old picture.
 */
final class ChatPage implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** Long enough for a reconnection after a few backoff doublings on a busy two-core machine. */
    private static final Duration PATIENCE = Duration.ofSeconds(45);

    private static final String READ_MESSAGES = """
            return Array.from(document.querySelectorAll('#message-list > li')).map(li => ({
              mine: li.classList.contains('mine'),
              sender: li.querySelector('.sender').textContent,
              role: li.querySelector('.role').textContent,
              text: li.querySelector('.text').textContent,
              status: li.dataset.status || '',
              ticks: li.querySelector('.ticks') ? li.querySelector('.ticks').textContent : ''
            }));""";

    /** Receipt statuses in the only order they go. */
    private static final List<String> RECEIPTS = List.of("queued", "delivered", "read");

    /** One message as the page shows it; {@code status} and {@code ticks} only for my own. */
    record Shown(boolean mine, String sender, String role, String text, String status, String ticks) {
    }

    private final String name;
    private final ChromeDriver driver;
    private final WebDriverWait wait;
    private String chatTab;

    private ChatPage(String name, ChromeDriver driver) {
        this.name = name;
        this.driver = driver;
        this.wait = new WebDriverWait(driver, PATIENCE);
        wait.ignoring(StaleElementReferenceException.class);
    }

    static ChatPage open(String name, URI page) {
        ChatPage chat = new ChatPage(name, HeadlessChromium.start(name));
        try {
            chat.driver.get(page.toString());
            chat.await("the sign-in form", d -> chat.driver.findElement(By.id("user-id")).isDisplayed());
            return chat;
        } catch (RuntimeException e) {
            chat.close();
            throw e;
        }
    }

    /** Signs in with the keyboard only: type, choose, Enter. */
    ChatPage signIn(String userId, String role) {
        WebElement id = driver.findElement(By.id("user-id"));
        id.sendKeys(userId);
        new Select(driver.findElement(By.id("user-role"))).selectByValue(role);
        id.sendKeys(Keys.ENTER);
        awaitConnection("open");
        return this;
    }

    /** Reloads the page as a person pressing F5 does; a remembered sign-in connects again. */
    ChatPage reload() {
        driver.navigate().refresh();
        return this;
    }

    ChatPage signOut() {
        driver.findElement(By.id("sign-out")).click();
        await("the sign-in form", d -> driver.findElement(By.id("user-id")).isDisplayed());
        return this;
    }

    /** The peers in the conversation list, in its order. */
    @SuppressWarnings("unchecked")
    List<String> conversations() {
        return (List<String>) script("return Array.from(document.querySelectorAll('#conversation-list .peer'))"
                + ".map(p => p.textContent)");
    }

    /** The unread badge of the conversation with {@code peer}: 0 when it shows none. */
    int unread(String peer) {
        Object count = script("const button = Array.from(document.querySelectorAll('#conversation-list .conversation-button'))"
                + ".find(b => b.dataset.peer === arguments[0]);"
                + " const badge = button && button.querySelector('.unread'); return badge ? badge.textContent : '0'", peer);
        return Integer.parseInt((String) count);
    }

    ChatPage awaitUnread(String peer, int count) {
        await(count + " unread from " + peer, d -> unread(peer) == count);
        return this;
    }

    ChatPage awaitConversations(List<String> peers) {
        await("the conversations " + peers, d -> conversations().equals(peers));
        return this;
    }

    /** The word under my message with this text that says the peer read it ("Read"), or "". */
    String readMark(String text) {
        return (String) script("const item = Array.from(document.querySelectorAll('#message-list > li.mine'))"
                + ".find(li => li.querySelector('.text').textContent === arguments[0]);"
                + " const mark = item && item.querySelector('.read-mark'); return mark ? mark.textContent : ''", text);
    }

    /** Whether the "Load older messages" button is offered. */
    boolean olderOffered() {
        return driver.findElement(By.id("load-older")).isDisplayed();
    }

    ChatPage loadOlder() {
        driver.findElement(By.id("load-older")).click();
        return this;
    }

    /**
     * Runs {@code source} in every document this browser loads from now on, before the page's own
     * scripts (Chrome DevTools' Page.addScriptToEvaluateOnNewDocument): to watch or change what the
     * page sends, across reloads.
     */
    ChatPage beforeEachLoad(String source) {
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", source));
        return this;
    }

    /** Puts another tab in front of the chat, as a person who switched tabs: the chat's page is hidden. */
    ChatPage hide() {
        chatTab = driver.getWindowHandle();
        driver.switchTo().newWindow(WindowType.TAB);
        await("the chat's tab in the background", d -> !chatTab.equals(driver.getWindowHandle()));
        return this;
    }

    /** Closes the tab {@link #hide()} opened: the chat's page is seen again. */
    ChatPage show() {
        driver.close();
        driver.switchTo().window(chatTab);
        await("the chat's page visible", d -> "visible".equals(script("return document.visibilityState")));
        return this;
    }

    ChatPage openConversation(String peer) {
        driver.findElements(By.cssSelector("#conversation-list .conversation-button")).stream()
                .filter(button -> peer.equals(button.getAttribute("data-peer"))).findFirst()
                .orElseThrow(() -> new AssertionError(name + " has no conversation with " + peer)).click();
        return awaitTitle(peer);
    }

    /** Every key of localStorage and sessionStorage, as storage:key. */
    @SuppressWarnings("unchecked")
    List<String> storedKeys() {
        return (List<String>) script("return [...Object.keys(localStorage).map(k => 'local:' + k),"
                + " ...Object.keys(sessionStorage).map(k => 'session:' + k)]");
    }

    /** Signs in with an access token only (mode jwt): the token says who the user is. */
    ChatPage signInWithToken(String token) {
        driver.findElement(By.cssSelector("details.token summary")).click();
        driver.findElement(By.id("access-token")).sendKeys(token, Keys.ENTER);
        awaitConnection("open");
        return this;
    }

    /** Waits for the page to ask for a new access token, for a reason that starts so. */
    ChatPage awaitTokenPrompt(String reasonPrefix) {
        await("a request for a new token ('" + reasonPrefix + "…')", d -> driver.findElement(By.id("token-renewal"))
                .isDisplayed() && driver.findElement(By.id("token-renewal-reason")).getText().startsWith(reasonPrefix));
        return this;
    }

    /** Pastes a token into the page's request for a new one. */
    ChatPage giveToken(String token) {
        WebElement field = driver.findElement(By.id("new-access-token"));
        // a refused token stays in the field for the user to correct: replace it
        field.clear();
        field.sendKeys(token, Keys.ENTER);
        return this;
    }

    ChatPage awaitTokenError(String prefix) {
        await("the token refused with '" + prefix + "…'",
                d -> driver.findElement(By.id("token-renewal-error")).getText().startsWith(prefix));
        return this;
    }

    boolean tokenPromptShown() {
        return driver.findElement(By.id("token-renewal")).isDisplayed();
    }

    ChatPage startConversation(String peer) {
        driver.findElement(By.id("new-peer")).sendKeys(peer, Keys.ENTER);
        awaitTitle(peer);
        return this;
    }

    /** Types the text and sends it with Enter, as a user does. */
    /** Broadcasts from the admin form: {@code role} is tenant, landlord, admin or *. */
    ChatPage broadcast(String role, String text) {
        new Select(driver.findElement(By.id("broadcast-role"))).selectByValue(role);
        driver.findElement(By.id("broadcast-text")).sendKeys(text);
        driver.findElement(By.id("broadcast-send")).click();
        return this;
    }

    ChatPage send(String text) {
        driver.findElement(By.id("message-text")).sendKeys(text, Keys.ENTER);
        return this;
    }

    ChatPage awaitTitle(String peer) {
        await("the conversation with " + peer,
                d -> ("Conversation with " + peer).equals(driver.findElement(By.id("conversation-title")).getText()));
        return this;
    }

    ChatPage awaitConnection(String state) {
        await("connection state " + state, d -> state.equals(connectionState()));
        return this;
    }

    /** Waits for the connection state's words to start with the prefix (they change as it retries). */
    ChatPage awaitConnectionText(String prefix) {
        await("'" + prefix + "…' as connection state", d -> connectionText().startsWith(prefix));
        return this;
    }

    ChatPage awaitNotice(String text) {
        await("the notice '" + text + "'", d -> {
            WebElement notice = driver.findElement(By.id("notice"));
            return notice.isDisplayed() && notice.getText().equals(text);
        });
        return this;
    }

    String connectionState() {
        return driver.findElement(By.id("connection-state")).getAttribute("data-state");
    }

    String connectionText() {
        return driver.findElement(By.id("connection-state")).getText();
    }

    List<Shown> messages() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) driver.executeScript(READ_MESSAGES);
        return rows.stream().map(r -> new Shown((Boolean) r.get("mine"), (String) r.get("sender"), (String) r.get("role"),
                (String) r.get("text"), (String) r.get("status"), (String) r.get("ticks"))).toList();
    }

    List<String> texts() {
        return messages().stream().map(Shown::text).toList();
    }

    ChatPage awaitTexts(List<String> expected) {
        await("messages " + expected, d -> texts().equals(expected));
        return this;
    }

    /**
     * Waits until my message with this text shows the status, or for a receipt's status (queued,
     * delivered, read) a further one: statuses only move forward, and a recipient who has the
     * conversation on screen reads a message as soon as it is delivered.
     */
    ChatPage awaitStatus(String text, String status) {
        await("'" + text + "' " + status, d -> messages().stream()
                .anyMatch(m -> m.mine() && m.text().equals(text) && reached(m.status(), status)));
        return this;
    }

    private static boolean reached(String shown, String wanted) {
        int wantedRank = RECEIPTS.indexOf(wanted);
        return wantedRank < 0 ? shown.equals(wanted) : RECEIPTS.indexOf(shown) >= wantedRank;
    }

    Shown mine(String text) {
        return messages().stream().filter(m -> m.mine() && m.text().equals(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no message of mine reads '" + text + "' in " + messages()));
    }

    Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    Object scriptAsync(String script) {
        return driver.executeAsyncScript(script);
    }

    ChromeDriver driver() {
        return driver;
    }

    ChatPage resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        await("a " + width + " px wide viewport", d -> ((Number) script("return window.innerWidth")).intValue() <= width);
        return this;
    }

    /** Writes target/screenshots/{state}.png and returns its path. */
    Path screenshot(String state) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path target = SCREENSHOTS.resolve(state + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the screenshot " + state, e);
        }
    }

    private void await(String what, Predicate<Object> condition) {
        wait.withMessage(() -> name + " never showed " + what + "; it shows " + connectionText() + " and " + messages()
                + "; console: " + console());
        wait.until(d -> condition.test(d));
    }

    private String console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::toString)
                .collect(Collectors.joining(" | "));
    }

    @Override
    public void close() {
        driver.quit();
    }
}
