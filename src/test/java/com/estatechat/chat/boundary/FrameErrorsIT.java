package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every refused frame gets its error code, and the connection goes on working. */
@ExtendWith(ArquillianExtension.class)
class FrameErrorsIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("errors", Map.of(
                "chat.max-message-chars", "100",
                "chat.max-frame-bytes", "1024",
                "chat.rate-limit.per-second", "1",
                "chat.rate-limit.burst", "5",
                "chat.inbox.max-length", "2"));
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "errors");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad_json        | {\"target_id\": \"bob\", ",
        "bad_frame       | {\"type\":\"message\",\"message\":\"no target\"}",
        "bad_frame       | {\"target_id\":\"bob/../x\",\"message\":\"hi\"}",
        "sender_mismatch | {\"target_id\":\"TARGET\",\"message\":\"hi\",\"sender_id\":\"mallory\",\"client_msg_id\":\"c7\"}",
        "self_target     | {\"target_id\":\"SELF\",\"message\":\"hi\"}",
        "too_large       | {\"target_id\":\"TARGET\",\"message\":\"LONG\"}",
        "unknown_message | {\"type\":\"ack\",\"message_id\":\"01a2142a-7518-70a3-b309-f063dd4f40e4\"}"})
    void refusedFrameGetsItsCodeAndTheConnectionStillWorks(String code, String frame) {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            a.sendRaw(frame.replace("TARGET", bob).replace("SELF", alice).replace("LONG", "x".repeat(101)));
            JsonObject error = a.next();
            assertThat(error.getString("type")).isEqualTo("error");
            assertThat(error.getString("code")).isEqualTo(code);
            assertThat(error.getString("message")).isNotBlank();
            if (frame.contains("client_msg_id")) {
                assertThat(error.getString("client_msg_id")).isEqualTo("c7");
            }

            a.sendMessage(bob, "still here", "after-error");
            assertThat(a.next("receipt").getString("status")).isEqualTo("queued");
            assertThat(b.receiveAndAck().getString("message")).isEqualTo("still here");
        }
    }

    @Test
    void frameOverTheByteLimitClosesWith1009() {
        try (ChatClient a = ChatClient.connect(base(), user("alice"))) {
            a.sendRaw("{\"target_id\":\"bob\",\"message\":\"" + "x".repeat(2000) + "\"}");
            assertThat(a.awaitClosed().code()).isEqualTo(1009);
        }
    }

    @Test
    void tooManyFramesAreRateLimitedAndNotSent() {
        String bob = user("bob");
        ChatClient.connect(base(), bob).close(); // bob is known; he goes offline
        try (ChatClient a = ChatClient.connect(base(), user("alice"))) {
            for (int i = 0; i < 8; i++) {
                a.sendMessage(bob, "burst " + i, "r" + i);
            }
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                JsonObject frame = a.next();
                outcomes.add(frame.getString("type").equals("error") ? frame.getString("code")
                        : frame.getString("status"));
            }
            // burst of 5, refill 1/s: the last frames of a fast burst are refused
            assertThat(outcomes).contains("rate_limited").filteredOn("rate_limited"::equals).hasSizeBetween(1, 3);
        }
        try (ChatClient b = ChatClient.connect(base(), bob)) {
            // inbox limit is 2: only what was accepted is there, and nothing refused slipped through
            JsonObject first = b.receiveAndAck();
            assertThat(first.getString("message")).isEqualTo("burst 0");
        }
    }

    @Test
    void fullInboxRefusesThePublishWithInboxFull() {
        String bob = user("bob");
        ChatClient.connect(base(), bob).close(); // bob's inbox exists; he goes offline and it fills up
        try (ChatClient a = ChatClient.connect(base(), user("alice"))) {
            a.sendMessage(bob, "one", "f1");
            assertThat(a.next().getString("status")).isEqualTo("queued");
            a.sendMessage(bob, "two", "f2");
            assertThat(a.next().getString("status")).isEqualTo("queued");
            a.sendMessage(bob, "three", "f3");
            JsonObject refused = a.next();
            assertThat(refused.getString("code")).isEqualTo("inbox_full");
            assertThat(refused.getString("client_msg_id")).isEqualTo("f3");
        }
        try (ChatClient b = ChatClient.connect(base(), bob)) {
            assertThat(b.receiveAndAck().getString("message")).isEqualTo("one");
            assertThat(b.receiveAndAck().getString("message")).isEqualTo("two");
        }
    }

    /**
     * Issue 11, defect 7: the recipient's ack waited for the {@code delivered} receipt to be
     * stored in the sender's inbox; with that inbox full every ack failed, the recipient's unacked
     * deliveries filled its prefetch and it stopped receiving. The message was delivered all the
     * same: the ack settles it, and the receipt the sender's full inbox refused is counted.
     */
    @Test
    void anAckSettlesTheMessageEvenWhenTheSendersInboxIsFull() {
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        ChatClient.connect(base(), bob).close(); // bob is known; he goes offline
        try (ChatClient a = ChatClient.connect(base(), alice)) {
            a.sendMessage(bob, "for bob", "b1");
            assertThat(a.next("receipt").getString("status")).isEqualTo("queued");
        }
        try (ChatClient c = ChatClient.connect(base(), carol)) {
            for (int i = 0; i < 2; i++) {
                c.sendMessage(alice, "filling " + i, null);
                assertThat(c.next().getString("status")).isEqualTo("queued");
            }
        }
        try (ChatClient b = ChatClient.connect(base(), bob)) {
            JsonObject message = b.receiveAndAck();
            assertThat(message.getString("message")).isEqualTo("for bob");
            b.expectNothingFor(Duration.ofSeconds(2));
        }
        try (ChatClient c = ChatClient.connect(base(), carol); ChatClient b = ChatClient.connect(base(), bob)) {
            c.sendMessage(bob, "marker", null);
            assertThat(b.next("message").getString("message")).as("the acked message does not come again")
                    .isEqualTo("marker");
        }
    }

    @ParameterizedTest
    @CsvSource({"'',400", "bad id,400", "x,400"})
    void badHandshakeIsRefusedWithAStatusBeforeTheUpgrade(String id, int status) {
        String query = id.equals("x") ? "id=ok-user&role=owner" : "id=" + id.replace(" ", "%20");
        URI uri = URI.create(base().toString().replaceFirst("^http", "ws") + "ws?" + query);
        CompletionException failure = catchThrowableOfType(CompletionException.class,
                () -> HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new java.net.http.WebSocket.Listener() {
                }).join());
        assertThat(failure.getCause()).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) failure.getCause()).getResponse().statusCode()).isEqualTo(status);
    }
}
