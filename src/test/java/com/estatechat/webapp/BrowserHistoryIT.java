package com.estatechat.webapp;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.UserDirectoryClient;
import com.estatechat.webapp.ChatPage.Shown;
import jakarta.json.Json;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The page and the server's conversation store (issue 13): in a real headless chromium against the
 * WAR on Payara Micro and a real RabbitMQ, a browser that never saw a conversation shows it from
 * the server, unread badges count and clear, the sender sees "Read", older messages come page by
 * page, and a store that cannot answer leaves the page with its own copy and a working chat.
 */
@ExtendWith(ArquillianExtension.class)
class BrowserHistoryIT {

    private static final String NAME = "browser-history";
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** Records every frame the page sends, from before its scripts run, across reloads. */
    private static final String WATCH_FRAMES = """
            window.sentFrames = [];
            const send = WebSocket.prototype.send;
            WebSocket.prototype.send = function (data) { window.sentFrames.push(String(data)); return send.call(this, data); };
            """;
    /** The conversation store as it answers while it is down: 503 with its JSON error. */
    private static final String STORE_DOWN = """
            const realFetch = window.fetch;
            window.fetch = (input, init) => String(input).includes('/api/conversations')
              ? Promise.resolve(new Response('{"error":"unavailable","message":"the conversation store is unavailable; retry later"}',
                  { status: 503, headers: { 'Content-Type': 'application/json' } }))
              : realFetch(input, init);
            """;

    @Deployment(testable = false)
    static WebArchive deployment() {
        // the test's own client sends a conversation longer than a page quickly
        return Deployments.chat(NAME, Map.of("chat.rate-limit.per-second", "1000", "chat.rate-limit.burst", "1000"));
    }

    @ArquillianResource
    URL base;

    @BeforeEach
    void chromiumIsInstalled() {
        assumeTrue(HeadlessChromium.installed(), "chromium and chromedriver are installed by .ci/run");
    }

    private URI page() {
        return Deployments.root(base, NAME);
    }

    @Test
    void aSecondBrowserOfTheSameUserShowsTheConversationFromTheServer() {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatPage a = ChatPage.open("alice", page()); ChatPage b = ChatPage.open("bob", page())) {
            a.signIn(alice, "landlord").startConversation(bob);
            b.signIn(bob, "tenant");
            a.send("The boiler is fixed").awaitStatus("The boiler is fixed", "delivered");
            // alice has the conversation on screen: she reads it as it comes
            b.awaitTitle(alice).send("Thanks, the flat is warm").awaitStatus("Thanks, the flat is warm", "read");
            a.send("Rent is due Friday").awaitStatus("Rent is due Friday", "delivered");
            b.awaitTexts(List.of("The boiler is fixed", "Thanks, the flat is warm", "Rent is due Friday"));

            // a fresh profile: nothing in its storage, so what it shows comes from the server's store
            try (ChatPage other = ChatPage.open("bob-elsewhere", page())) {
                assertThat(other.storedKeys()).isEmpty();
                other.signIn(bob, "tenant").awaitConversations(List.of(alice)).awaitTitle(alice)
                        .awaitTexts(List.of("The boiler is fixed", "Thanks, the flat is warm", "Rent is due Friday"));
                assertThat(other.messages()).containsExactly(
                        new Shown(false, alice, "landlord", "The boiler is fixed", "", ""),
                        new Shown(true, "You", "tenant", "Thanks, the flat is warm", "read", "✓✓"),
                        new Shown(false, alice, "landlord", "Rent is due Friday", "", ""));
                other.screenshot("history-1-second-browser");

                // the live chat goes on in both of bob's browsers
                a.send("See you at 9").awaitStatus("See you at 9", "delivered");
                other.awaitTexts(List.of("The boiler is fixed", "Thanks, the flat is warm", "Rent is due Friday",
                        "See you at 9"));
                b.awaitTexts(List.of("The boiler is fixed", "Thanks, the flat is warm", "Rent is due Friday",
                        "See you at 9"));
            }
        }
    }

    @Test
    void openingAConversationClearsItsBadgeWithOneReadFrameAndTheSenderSeesRead() {
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        UserDirectoryClient.provision(page(), carol, "landlord"); // never signs in
        List<String> texts = List.of("The plumber comes at 9", "Please leave a key", "He has the code for the gate");
        try (ChatPage a = ChatPage.open("alice", page()); ChatPage b = ChatPage.open("bob", page())) {
            b.beforeEachLoad(WATCH_FRAMES).reload();
            b.signIn(bob, "tenant").startConversation(carol);
            a.signIn(alice, "landlord").startConversation(bob);
            texts.forEach(a::send);
            texts.forEach(text -> a.awaitStatus(text, "delivered"));
            // bob looks at another conversation: the messages count, live, and are not read
            b.awaitUnread(alice, 3);
            assertThat(b.unread(carol)).isZero();
            texts.forEach(text -> assertThat(a.readMark(text)).isEmpty());
            b.screenshot("history-2-unread-badge");
            b.send("Are you at home tonight?").awaitStatus("Are you at home tonight?", "queued");

            // a browser that was not there when they came has the same count, from the server; it opens
            // the newest conversation by itself (carol's), so alice's stays unread
            try (ChatPage other = ChatPage.open("bob-elsewhere", page())) {
                other.signIn(bob, "tenant").awaitConversations(List.of(carol, alice)).awaitTitle(carol);
                other.awaitUnread(alice, 3);
                other.screenshot("history-3-unread-from-the-server");
            }
            assertThat(readFrames(b)).isEmpty();
            texts.forEach(text -> assertThat(a.mine(text).status()).isEqualTo("delivered"));

            b.openConversation(alice).awaitTexts(texts);
            assertThat(b.unread(alice)).isZero();
            texts.forEach(text -> a.awaitStatus(text, "read"));
            texts.forEach(text -> assertThat(a.readMark(text)).isEqualTo("Read"));
            assertThat(a.mine(texts.get(2)).ticks()).isEqualTo("✓✓");
            a.screenshot("history-3b-sender-sees-read");

            // one read frame, for the newest message (sent again only while the store catches up)
            String newest = b.driver().findElement(org.openqa.selenium.By.cssSelector("#message-list > li:last-child"))
                    .getAttribute("data-message-id");
            assertThat(readFrames(b)).isNotEmpty().allMatch(newest::equals);

            // the server says so too: a new browser of bob's shows no badge, one of alice's shows Read
            try (ChatPage other = ChatPage.open("bob-elsewhere-again", page());
                    ChatPage sender = ChatPage.open("alice-elsewhere", page())) {
                other.signIn(bob, "tenant").awaitConversations(List.of(carol, alice));
                assertThat(other.unread(alice)).isZero();
                sender.signIn(alice, "landlord").awaitTitle(bob).awaitTexts(texts);
                texts.forEach(text -> sender.awaitStatus(text, "read"));
            }
        }
    }

    @Test
    void aConversationOnScreenInAHiddenPageIsReadOnlyOnceThePageIsSeenAgain() {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatPage a = ChatPage.open("alice", page()); ChatPage b = ChatPage.open("bob", page())) {
            a.signIn(alice, "landlord").startConversation(bob);
            b.signIn(bob, "tenant").startConversation(alice);
            assertThat(b.script("return document.visibilityState")).isEqualTo("visible");

            b.hide();
            a.send("Are you in?").awaitStatus("Are you in?", "delivered");
            // delivered to the hidden page, and not read there: it stays so
            await().during(Duration.ofSeconds(2)).atMost(PATIENCE)
                    .until(() -> a.mine("Are you in?").status().equals("delivered"));

            b.show();
            a.awaitStatus("Are you in?", "read");
            assertThat(b.unread(alice)).isZero();
            b.awaitTexts(List.of("Are you in?"));
        }
    }

    @Test
    void olderMessagesLoadWhenScrolledToTheTopOrAskedFor() {
        String alice = user("alice");
        String bob = user("bob");
        UserDirectoryClient.provision(page(), bob, "tenant");
        List<String> texts = IntStream.rangeClosed(1, 110).mapToObj(i -> "Note " + i).toList();
        try (ChatClient sender = ChatClient.connect(page(), alice, "landlord")) {
            for (String text : texts) {
                sender.sendMessage(bob, text, null);
                assertThat(sender.next("receipt").getString("status")).isEqualTo("queued");
            }
        }
        // the live delivery brings all of them to the first browser, which acks them
        try (ChatPage b = ChatPage.open("bob", page())) {
            b.signIn(bob, "tenant").awaitTitle(alice).awaitTexts(texts);
        }

        // a second browser gets the newest page of 50 and asks for the next one when scrolled to the top
        try (ChatPage b = ChatPage.open("bob-elsewhere", page())) {
            b.signIn(bob, "tenant").awaitTitle(alice).awaitTexts(texts.subList(60, 110));
            assertThat(b.olderOffered()).isTrue();
            b.script("document.getElementById('message-list').scrollTop = 0");
            b.awaitTexts(texts.subList(10, 110));
            // what the user looked at stays in view: the oldest message of before, not the new ones
            assertThat((Boolean) b.script("const list = document.getElementById('message-list').getBoundingClientRect();"
                    + " const item = document.querySelectorAll('#message-list > li')[50].getBoundingClientRect();"
                    + " return item.bottom > list.top && item.top < list.bottom")).isTrue();
            b.screenshot("history-4-older-on-scroll");

            b.loadOlder().awaitTexts(texts);
            await().atMost(PATIENCE).until(() -> !b.olderOffered());
            b.screenshot("history-5-everything-loaded");
        }
    }

    @Test
    void aStoreThatCannotAnswerLeavesTheCachedConversationAndTheChatGoesOn() {
        String alice = user("alice");
        String bob = user("bob");
        UserDirectoryClient.provision(page(), bob, "tenant"); // never signs in
        try (ChatPage a = ChatPage.open("alice", page())) {
            a.signIn(alice, "landlord").startConversation(bob);
            a.send("Keys are under the mat").awaitStatus("Keys are under the mat", "queued");

            a.beforeEachLoad(STORE_DOWN).reload().awaitConnection("open");
            a.awaitNotice("Your conversation history is not available right now. Showing what this browser kept;"
                    + " the chat works as usual.");
            a.awaitTitle(bob).awaitTexts(List.of("Keys are under the mat"));
            assertThat(a.conversations()).containsExactly(bob);
            a.screenshot("history-6-store-down");

            a.send("The door code is 1234").awaitStatus("The door code is 1234", "queued");
            a.awaitTexts(List.of("Keys are under the mat", "The door code is 1234"));
        }
    }

    /** The message ids of the read frames the page sent (WATCH_FRAMES must be in place). */
    private static List<String> readFrames(ChatPage page) {
        @SuppressWarnings("unchecked")
        List<String> frames = (List<String>) page.script("return window.sentFrames");
        return frames.stream().map(frame -> Json.createReader(new StringReader(frame)).readObject())
                .filter(frame -> "read".equals(frame.getString("type", null)))
                .map(frame -> frame.getString("message_id")).toList();
    }

}
