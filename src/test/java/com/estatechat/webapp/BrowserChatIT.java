package com.estatechat.webapp;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.estatechat.support.Deployments;
import com.estatechat.support.UserDirectoryClient;
import com.estatechat.support.TcpProxy;
import com.estatechat.webapp.ChatPage.Shown;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.NoAlertPresentException;

/**
 * The chat page in a real headless chromium against the WAR on Payara Micro and a real RabbitMQ:
 * what a person sees when two people chat, when one was away, and when the network drops.
 * Every state leaves a screenshot under target/screenshots/.
 */
@ExtendWith(ArquillianExtension.class)
class BrowserChatIT {

    private static final String NAME = "browser";
    /** Small, so that a refused message is quick to type; every other text here is shorter. */
    private static final int MAX_CHARS = 120;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat(NAME, Map.of("chat.max-message-chars", String.valueOf(MAX_CHARS)));
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
    void twoUsersChatAndTheSendersTicksGoFromOneToTwo() {
        String alice = user("alice");
        String bob = user("bob");
        UserDirectoryClient.provision(page(), bob, "tenant"); // bob signs in later
        try (ChatPage a = ChatPage.open("alice", page())) {
            a.signIn(alice, "landlord").startConversation(bob);
            a.send("The boiler is fixed").awaitStatus("The boiler is fixed", "queued");
            // bob has not signed in yet: stored on the server, one tick
            assertThat(a.mine("The boiler is fixed").ticks()).isEqualTo("✓");
            a.screenshot("chat-1-sender-one-tick");

            try (ChatPage b = ChatPage.open("bob", page())) {
                b.signIn(bob, "tenant");
                // the first message opens its conversation by itself
                b.awaitTitle(alice).awaitTexts(List.of("The boiler is fixed"));
                assertThat(b.messages()).containsExactly(new Shown(false, alice, "landlord", "The boiler is fixed", "", ""));

                a.awaitStatus("The boiler is fixed", "delivered");
                assertThat(a.mine("The boiler is fixed").ticks()).isEqualTo("✓✓");
                a.screenshot("chat-2-sender-two-ticks");

                b.send("Thanks, the flat is warm again").awaitStatus("Thanks, the flat is warm again", "delivered");
                a.awaitTexts(List.of("The boiler is fixed", "Thanks, the flat is warm again"));
                assertThat(a.messages().get(1)).isEqualTo(new Shown(false, bob, "tenant", "Thanks, the flat is warm again", "", ""));
                assertThat(b.mine("Thanks, the flat is warm again").ticks()).isEqualTo("✓✓");
                a.screenshot("chat-3-conversation-sender");
                b.screenshot("chat-3-conversation-recipient");

                // phone width: nothing wider than the screen, the composer still there
                b.resize(390, 844);
                assertThat((Boolean) b.script("return document.documentElement.scrollWidth <= window.innerWidth")).isTrue();
                assertThat(b.driver().findElement(org.openqa.selenium.By.id("message-text")).isDisplayed()).isTrue();
                b.screenshot("chat-4-phone-width");
            }
        }
    }

    @Test
    void anAdminBroadcastsToTenantsFromThePage() {
        String admin = user("root");
        String tenant = user("tia");
        try (ChatPage t = ChatPage.open("tenant", page()); ChatPage a = ChatPage.open("admin", page())) {
            t.signIn(tenant, "tenant");
            a.signIn(admin, "admin");
            a.broadcast("tenant", "Water is off on Friday").awaitTitle("role:tenant")
                    .awaitStatus("Water is off on Friday", "delivered");
            t.awaitTitle(admin).awaitTexts(List.of("Water is off on Friday"));
            assertThat(t.messages()).containsExactly(new Shown(false, admin, "admin", "Water is off on Friday", "", ""));
            a.screenshot("broadcast-1-admin");
            t.screenshot("broadcast-2-tenant");
        }
    }

    @Test
    void messagesSentWhileTheRecipientsPageWasClosedAppearWhenItOpensAgain() {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatPage a = ChatPage.open("alice", page())) {
            a.signIn(alice, "landlord").startConversation(bob);
            try (ChatPage b = ChatPage.open("bob", page())) {
                b.signIn(bob, "tenant");
                a.send("Before you left").awaitStatus("Before you left", "delivered");
                b.awaitTexts(List.of("Before you left"));
            }

            List<String> missed = List.of("Rent is due Friday", "The plumber comes at 9", "Please leave a key");
            missed.forEach(a::send);
            missed.forEach(text -> a.awaitStatus(text, "queued"));
            a.screenshot("offline-1-sender-while-recipient-away");

            // a new browser profile, nothing in local storage: the missed messages come from the inbox,
            // the one seen before from the server's conversation store
            try (ChatPage b = ChatPage.open("bob-again", page())) {
                b.signIn(bob, "tenant").awaitTitle(alice).awaitTexts(
                        Stream.concat(Stream.of("Before you left"), missed.stream()).toList());
                missed.forEach(text -> a.awaitStatus(text, "delivered"));
                b.screenshot("offline-2-recipient-back");
                a.screenshot("offline-3-sender-two-ticks");
            }
        }
    }

    @Test
    void thePageReconnectsByItselfWhenTheServerConnectionIsCutAndRestored() {
        String alice = user("alice");
        String bob = user("bob");
        try (TcpProxy network = TcpProxy.to(page().getPort(), true);
                ChatPage a = ChatPage.open("alice", page());
                ChatPage b = ChatPage.open("bob", throughRelay(network))) {
            a.signIn(alice, "landlord").startConversation(bob);
            b.signIn(bob, "tenant").startConversation(alice);

            network.cut();
            b.awaitConnectionText("Offline. Reconnecting in");
            a.send("Sent while you were offline").awaitStatus("Sent while you were offline", "queued");
            b.send("Typed while offline").awaitStatus("Typed while offline", "waiting");
            b.screenshot("reconnect-1-offline");

            network.restore();
            b.awaitConnection("open").awaitConnectionText("Connected");
            // in the server's order, as every browser shows it: alice's message was stored first
            b.awaitTexts(List.of("Sent while you were offline", "Typed while offline"));
            b.awaitStatus("Typed while offline", "delivered");
            a.awaitTexts(List.of("Sent while you were offline", "Typed while offline"));
            a.awaitStatus("Sent while you were offline", "delivered");
            b.screenshot("reconnect-2-back-online");
        }
    }

    @Test
    void markupInAMessageShowsAsTextAndNeverRuns() {
        String alice = user("alice");
        String bob = user("bob");
        String attack = "<img src=x onerror=alert(1)>";
        try (ChatPage a = ChatPage.open("alice", page()); ChatPage b = ChatPage.open("bob", page())) {
            a.signIn(alice, "landlord").startConversation(bob);
            b.signIn(bob, "tenant");
            a.send(attack).awaitStatus(attack, "delivered");
            b.awaitTexts(List.of(attack));

            for (ChatPage page : List.of(a, b)) {
                assertThat(page.texts()).containsExactly(attack);
                assertThat(page.script("return document.querySelectorAll('#message-list img').length")).isEqualTo(0L);
                assertThat(page.script("return document.querySelector('#message-list .text').innerHTML"))
                        .isEqualTo("&lt;img src=x onerror=alert(1)&gt;");
                assertThatThrownBy(() -> page.driver().switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
            }
            b.screenshot("xss-shown-as-text");
        }
    }

    @Test
    void aRefusedMessageIsMarkedAndExplainedInPlainWordsAndTheChatGoesOn() {
        String alice = user("alice");
        String bob = user("bob");
        UserDirectoryClient.provision(page(), bob, "tenant"); // bob signs in later
        String tooLong = "Dear tenant, ".repeat(10);
        assertThat(tooLong).hasSizeGreaterThan(MAX_CHARS);
        try (ChatPage a = ChatPage.open("alice", page())) {
            a.signIn(alice, "landlord").startConversation(bob);
            a.send(tooLong).awaitStatus(tooLong.strip(), "failed");
            assertThat(a.mine(tooLong.strip()).ticks()).isEqualTo("!");
            a.awaitNotice("The message is too long.");
            // sending it again could only fail again, so the page does not offer it
            assertThat(a.script("return document.querySelectorAll('#message-list .retry').length")).isEqualTo(0L);
            a.screenshot("error-too-long");

            a.send("Short and sweet").awaitStatus("Short and sweet", "queued");
        }
    }

    @Test
    void clientModuleShowsADuplicateOnceAcksItAgainAndNeverResendsWhatMayHaveBeenStored() throws Exception {
        // kept as a .js file beside this class, so that it reads (and lints) as the JavaScript it is
        String script = Files.readString(Path.of("src/test/java/com/estatechat/webapp/client-contract.js"));
        try (ChatPage page = ChatPage.open("contract", page())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> seen = (Map<String, Object>) page.scriptAsync(script);
            assertThat(seen).doesNotContainKey("failure");
            assertThat(seen.get("shown")).isEqualTo(List.of("m1"));
            // the redelivered copy is acked too, or it would stay in the inbox for ever
            assertThat(seen.get("firstSocketFrames")).isEqualTo(List.of("ack:m1", "ack:m1", "message:hello",
                    "message:in flight when the line dropped"));
            // a late `queued` does not undo `delivered`; the message in flight becomes unconfirmed
            assertThat(seen.get("statuses")).isEqualTo(List.of("sending", "delivered", "sending", "unconfirmed",
                    "waiting", "sending"));
            assertThat(seen.get("stateAfterDrop")).isEqualTo("waiting");
            // after the reconnection only what never left is sent
            assertThat(seen.get("secondSocketFrames")).isEqualTo(List.of("message:typed while offline"));
            assertThat(seen.get("states")).isEqualTo(List.of("connecting", "open", "waiting", "connecting", "open"));
            @SuppressWarnings("unchecked")
            Map<String, Object> reads = (Map<String, Object>) seen.get("reads");
            // a read mark given while offline goes once connected; the store's "not yet" is answered by
            // sending it again, without a word to the user, and only giving up is said
            assertThat(reads.get("frames")).isEqualTo(List.of("read:m7", "read:m7", "read:m7"));
            assertThat(reads.get("quietUntil")).isEqualTo(List.of());
            assertThat(reads.get("errors")).isEqualTo(List.of("unknown_message:m7"));
            @SuppressWarnings("unchecked")
            Map<String, Object> drain = (Map<String, Object>) seen.get("goingAway");
            // after going_away nothing more is written on that socket: not the message typed, not the read mark
            assertThat(drain.get("first")).isEqualTo(List.of("message:before the notice"));
            // on the next one, what waited goes at once, and the refused send after its retry_after_ms
            assertThat(drain.get("second")).isEqualTo(List.of("message:after the notice", "read:m9",
                    "message:before the notice"));
            assertThat(drain.get("statuses")).isEqualTo(List.of("sending", "waiting", "busy", "sending", "sending"));
        }
    }

    @Test
    void clientModuleOffersTheTokenAsASubprotocolRenewsItInPlaceAndAsksForANewOneInsteadOfRetrying()
            throws Exception {
        String script = Files.readString(Path.of("src/test/java/com/estatechat/webapp/client-contract.js"));
        try (ChatPage page = ChatPage.open("contract-tokens", page())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> seen = (Map<String, Object>) page.scriptAsync(script);
            assertThat(seen).doesNotContainKey("failure");
            @SuppressWarnings("unchecked")
            Map<String, Object> tokens = (Map<String, Object>) seen.get("tokens");
            // never in the URL: the token goes beside the protocol's name, and the new one after a renewal
            assertThat(tokens.get("protocols")).isEqualTo(List.of(List.of("estate-chat.v1", "bearer.T1"),
                    List.of("estate-chat.v1", "bearer.T3")));
            assertThat(tokens.get("noTokenProtocols")).isEqualTo(List.of());
            assertThat(tokens.get("frames")).isEqualTo(List.of("auth:T2"));
            assertThat(tokens.get("renewedWhileOpen")).isEqualTo(true);
            assertThat(tokens.get("renewedWhileClosed")).isEqualTo(false);
            // "token expired": no retry with the old token, a request for a new one; connect() resumes
            assertThat(tokens.get("events")).isEqualTo(List.of("state:connecting", "state:open",
                    "renewed:2030-01-01T00:00:00Z", "state:unauthorized", "tokenrequired:token expired",
                    "state:connecting", "state:open", "state:waiting", "state:closed"));
            assertThat(tokens.get("unknownUser")).isEqualTo(List.of("Not sent: there is no such user.", false));
            assertThat(tokens.get("prototypeCode")).isEqualTo("fallback");
        }
    }

    /**
     * User ids that are names of Object.prototype's members: the page kept conversations in a plain
     * object, so a message from or to such a user was lost (and acked as a duplicate when it came
     * again) while its sender saw ✓✓.
     */
    @Test
    void usersNamedAfterObjectPrototypeMembersChatAndKeepTheirHistory() {
        UserDirectoryClient.provision(page(), "toString", "tenant"); // never signs in
        try (ChatPage proto = ChatPage.open("proto", page()); ChatPage ctor = ChatPage.open("constructor", page())) {
            ctor.signIn("constructor", "landlord").startConversation("__proto__");
            proto.signIn("__proto__", "tenant");
            ctor.send("Hello, __proto__").awaitStatus("Hello, __proto__", "delivered");
            proto.awaitTitle("constructor").awaitTexts(List.of("Hello, __proto__"));
            assertThat(proto.messages()).containsExactly(new Shown(false, "constructor", "landlord", "Hello, __proto__", "", ""));

            proto.send("Hello, constructor").awaitStatus("Hello, constructor", "delivered");
            ctor.awaitTexts(List.of("Hello, __proto__", "Hello, constructor"));
            proto.startConversation("toString").send("Anyone there?").awaitStatus("Anyone there?", "queued");

            // a reload reads the history back from storage: every conversation, each message once
            proto.reload().awaitConnection("open").awaitTitle("toString").awaitTexts(List.of("Anyone there?"));
            assertThat(proto.conversations()).containsExactlyInAnyOrder("constructor", "toString");
            proto.openConversation("constructor").awaitTexts(List.of("Hello, __proto__", "Hello, constructor"));
            proto.screenshot("prototype-names");
        }
    }

    @Test
    void signingOutClearsEverythingThePageStored() {
        String alice = user("alice");
        String bob = user("bob");
        UserDirectoryClient.provision(page(), bob, "tenant"); // never signs in
        try (ChatPage a = ChatPage.open("alice", page())) {
            a.signIn(alice, "landlord").startConversation(bob);
            a.send("Keys are under the mat").awaitStatus("Keys are under the mat", "queued");
            assertThat(a.storedKeys()).isNotEmpty();

            a.signOut();

            assertThat(a.storedKeys()).isEmpty();
            assertThat(a.script("return document.getElementById('user-id').value")).isEqualTo("");
            // signed in again, the conversation comes back from the server, not from this browser
            a.signIn(alice, "landlord").awaitConversations(List.of(bob)).awaitTitle(bob)
                    .awaitTexts(List.of("Keys are under the mat"));
            a.screenshot("signed-out-and-back");
        }
    }

    /**
     * {@code unknown_user} comes from the user directory (another branch): the page's side is
     * checked by rendering such a refusal with the page's own view.
     */
    @Test
    void aMessageToAnUnknownUserSaysNoSuchUserAndOffersNoSendAgain() {
        try (ChatPage page = ChatPage.open("unknown-user", page())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> shown = (Map<String, Object>) page.scriptAsync("""
                    const done = arguments[arguments.length - 1];
                    Promise.all([import(new URL('js/chat-view.js', location.href).href),
                                 import(new URL('js/estate-chat-client.js', location.href).href)])
                      .then(([{ ChatView }, { describeError }]) => {
                        const view = new ChatView(document);
                        view.chatView.hidden = false;
                        view.renderMessages([{ mine: true, clientMsgId: 'c1', messageId: null, senderId: 'me',
                          senderRole: 'tenant', text: 'Hello?', at: new Date().toISOString(), status: 'failed',
                          error: describeError('unknown_user', 'from the server'), errorCode: 'unknown_user' }], () => {});
                        const item = document.querySelector('#message-list > li');
                        done({ error: item.querySelector('.delivery-error').textContent,
                               ticks: item.querySelector('.ticks').textContent,
                               retries: item.querySelectorAll('.retry').length });
                      }).catch((e) => done({ failure: String(e) }));""");
            assertThat(shown).doesNotContainKey("failure");
            assertThat((String) shown.get("error")).contains("no such user");
            assertThat(shown.get("ticks")).isEqualTo("!");
            assertThat(shown.get("retries")).isEqualTo(0L);
            page.screenshot("error-unknown-user");
        }
    }

    /** The same page, loaded through the relay: its socket then goes through the relay too. */
    private URI throughRelay(TcpProxy network) {
        URI direct = page();
        return URI.create("http://127.0.0.1:" + network.port() + direct.getRawPath());
    }
}
