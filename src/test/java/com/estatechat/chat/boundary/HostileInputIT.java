package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.RawWebSocket;
import com.estatechat.support.UserDirectoryClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile clients against the deployed server: every frame gets an error frame or a close with
 * its RFC 6455 code, the connection stays usable after an error frame, no session outlives its
 * connection, and two users chatting meanwhile see nothing of it. The frames go out through a raw
 * RFC 6455 client, since the JDK's refuses to send invalid UTF-8 or arbitrary opcodes.
 */
@ExtendWith(ArquillianExtension.class)
class HostileInputIT {

    static final int MAX_FRAME_BYTES = 4096;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("hostile", Map.of(
                "chat.max-frame-bytes", String.valueOf(MAX_FRAME_BYTES),
                "chat.max-message-chars", "1000",
                "chat.rate-limit.per-second", "20",
                "chat.rate-limit.burst", "40"));
    }

    @ArquillianResource
    URL base;

    private double sessionsBefore;

    private URI base() {
        return Deployments.root(base, "hostile");
    }

    private RawWebSocket raw(String userId) {
        RawWebSocket socket = RawWebSocket.connect(ChatClient.uri(base(), userId, null));
        assertThat(json(socket.nextText()).getString("type")).isEqualTo("connected");
        return socket;
    }

    @BeforeEach
    void countSessions() throws Exception {
        sessionsBefore = openSessions();
    }

    /** Whatever a test did to its connections, every session it opened is gone once they are closed. */
    @AfterEach
    void noSessionOutlivesItsConnection() {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(openSessions()).isEqualTo(sessionsBefore));
    }

    static Stream<Arguments> hostileTextFrames() {
        String deep = "[".repeat(2000) + "]".repeat(2000);
        return Stream.of(
                Arguments.of("bad_json", "{\"target_id\": \"TARGET\", "),
                Arguments.of("bad_json", "\u0000\u0001\u0002"),
                Arguments.of("bad_json", ""),
                Arguments.of("bad_json", "{\"target_id\":\"TARGET\",\"message\":\"hi\"} and more"),
                Arguments.of("bad_json", "{\"target_id\":\"TARGET\",\"message\":\"raw \u0007 bell\"}"),
                Arguments.of("bad_frame", deep),
                Arguments.of("bad_frame", "{\"target_id\":\"TARGET\",\"message\":" + deep + "}"),
                Arguments.of("bad_frame", "{\"a\":".repeat(600) + "1" + "}".repeat(600)),
                Arguments.of("bad_frame", "{\"target_id\":\"TARGET\",\"message\":42}"),
                Arguments.of("bad_frame", "{\"target_id\":true,\"message\":\"hi\"}"),
                Arguments.of("bad_frame", "{\"target_id\":\"TARGET\",\"message\":1e999999999}"),
                Arguments.of("bad_frame", "{\"type\":\"ack\",\"message_id\":12345}"),
                Arguments.of("bad_frame", "{\"type\":\"launch\",\"target_id\":\"TARGET\",\"message\":\"hi\"}"),
                Arguments.of("bad_frame", "{\"type\":null,\"target_id\":\"TARGET\",\"message\":{}}"),
                Arguments.of("bad_frame", "[{\"target_id\":\"TARGET\",\"message\":\"hi\"}]"),
                Arguments.of("bad_frame", "{\"target_id\":\"TARGET\",\"message\":\"\\ud800\"}"),
                Arguments.of("bad_frame", "{\"target_id\":\"TARGET\",\"message\":\"hi\",\"target_id\":\"other\"}"),
                Arguments.of("bad_frame", "{\"target_id\":\"TARGET\\u0000\",\"message\":\"hi\"}"),
                Arguments.of("bad_frame", "{\"type\":\"read\",\"message_id\":\"" + "x".repeat(3000) + "\"}"),
                Arguments.of("too_large", "{\"target_id\":\"TARGET\",\"message\":\"" + "é".repeat(1001) + "\"}"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("hostileTextFrames")
    void hostileTextFrameGetsItsErrorAndTheConnectionStillWorks(String code, String frame) {
        String target = user("bob");
        try (RawWebSocket hostile = raw(user("mallory")); ChatClient bob = ChatClient.connect(base(), target)) {
            hostile.sendText(frame.replace("TARGET", target));
            JsonObject error = json(hostile.nextText());
            assertThat(error.getString("type")).isEqualTo("error");
            assertThat(error.getString("code")).isEqualTo(code);
            assertThat(error.getString("message")).isNotBlank();
            assertThat(error.getString("message_id", null)).as("echoed message_id").isNull();

            hostile.sendText(Json.createObjectBuilder().add("target_id", target).add("message", "still here")
                    .add("client_msg_id", "after").build().toString());
            assertThat(json(hostile.nextText()).getString("status")).isEqualTo("queued");
            assertThat(bob.receiveAndAck().getString("message")).isEqualTo("still here");
        }
    }

    @Test
    void unknownFieldsAndEscapedControlCharactersAreDelivered() {
        String target = user("bob");
        try (RawWebSocket hostile = raw(user("mallory")); ChatClient bob = ChatClient.connect(base(), target)) {
            hostile.sendText("{\"target_id\":\"" + target + "\",\"message\":\"tab\\tnul\\u0000\\ud83d\\ude00\","
                    + "\"unknown\":{\"n\":[1e999999999,null,true]},\"priority\":7}");
            assertThat(json(hostile.nextText()).getString("status")).isEqualTo("queued");
            assertThat(bob.receiveAndAck().getString("message")).isEqualTo("tab\tnul\u0000\ud83d\ude00");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {MAX_FRAME_BYTES + 1, 1024 * 1024})
    void aFrameOverTheByteLimitClosesWith1009(int bytes) {
        try (RawWebSocket hostile = raw(user("mallory"))) {
            String prefix = "{\"target_id\":\"bob\",\"message\":\"";
            try {
                hostile.sendText(prefix + "x".repeat(bytes - prefix.length() - 2) + "\"}");
            } catch (java.io.UncheckedIOException e) {
                // refused from its header: the server may close before the rest of a large frame is written
            }
            assertThat(hostile.awaitCloseCode()).isEqualTo(1009);
        }
    }

    static Stream<byte[]> invalidUtf8() {
        return Stream.of(
                new byte[] {'{', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'},       // never in UTF-8
                new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'},                    // overlong '/'
                new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'},       // an encoded surrogate
                new byte[] {'"', (byte) 0xE2, (byte) 0x82});                        // cut off mid-character
    }

    @ParameterizedTest
    @MethodSource("invalidUtf8")
    void invalidUtf8InATextFrameClosesWith1007(byte[] payload) {
        try (RawWebSocket hostile = raw(user("mallory"))) {
            hostile.send(true, RawWebSocket.TEXT, payload);
            assertThat(hostile.awaitCloseCode()).isEqualTo(1007);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 36, MAX_FRAME_BYTES * 4})
    void aBinaryFrameClosesWith1003(int bytes) {
        // Tyrus dropped it silently: no answer, the connection stayed open
        try (RawWebSocket hostile = raw(user("mallory"))) {
            byte[] payload = new byte[bytes];
            Arrays.fill(payload, (byte) '{');
            hostile.send(true, RawWebSocket.BINARY, payload);
            assertThat(hostile.awaitCloseCode()).isEqualTo(1003);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0x3, 0xB, RawWebSocket.CONTINUATION})
    void aReservedOpcodeOrAStrayContinuationClosesWith1002(int opcode) {
        try (RawWebSocket hostile = raw(user("mallory"))) {
            hostile.send(true, opcode, "x".getBytes(StandardCharsets.UTF_8));
            assertThat(hostile.awaitCloseCode()).isEqualTo(1002);
        }
    }

    /**
     * One client floods thousands of frames as fast as it can, others break the protocol and drop
     * their connections, while two users chat: the flood is answered frame by frame (its burst, then
     * rate_limited) until the server closes it with 1008 for going on regardless; the two users get
     * every message and both receipts, and the flooder can connect again and send once it calmed.
     */
    @Test
    void aFloodAndBrokenClientsLeaveOtherUsersUnaffected() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        String sink = user("sink");
        String flooder = user("flood");
        UserDirectoryClient.provision(base(), sink, "tenant");
        int frames = 3000;
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob);
                RawWebSocket flood = raw(flooder)) {
            CompletableFuture<List<String>> chat = CompletableFuture.supplyAsync(() -> chat(a, b, 30));

            int sent = 0;
            try {
                for (; sent < frames && !flood.isClosed(); sent++) {
                    flood.sendText(sent % 3 == 2 ? "{\"target_id\":" + sent
                            : "{\"target_id\":\"" + sink + "\",\"message\":\"flood " + sent + "\"}");
                }
            } catch (java.io.UncheckedIOException closedUnderTheFlood) {
                // the server closed the connection while frames were still going out
            }
            brokenClients();

            assertThat(flood.awaitCloseCode()).as("after %d frames", sent).isEqualTo(1008);
            Map<String, Integer> answers = new HashMap<>();
            for (String text = flood.pollText(Duration.ofSeconds(1)); text != null;
                    text = flood.pollText(Duration.ofMillis(200))) {
                JsonObject answer = json(text);
                answers.merge(answer.getString("code", answer.getString("status", "?")), 1, Integer::sum);
            }
            assertThat(answers.keySet()).as("answers").isSubsetOf("rate_limited", "queued", "bad_json");
            // chat.rate-limit.*: bursts of 40, 20 a second; as many rate_limited answers, then the close
            assertThat(answers.getOrDefault("rate_limited", 0)).as("answers %s", answers).isPositive()
                    .isLessThan(frames / 10);

            // the flooder comes back calm: it may send again once the limit refilled
            try (RawWebSocket calm = raw(flooder)) {
                await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).untilAsserted(() -> {
                    calm.sendText("{\"target_id\":\"" + sink + "\",\"message\":\"calm\"}");
                    assertThat(json(calm.nextText()).getString("status", null)).isEqualTo("queued");
                });
            }

            assertThat(chat.get()).as("what the two users saw").isEmpty();
        }
    }

    /** Clients that break the protocol in every way while the flood runs; each one is closed. */
    private void brokenClients() {
        List<RawWebSocket> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(raw(user("broken")));
        }
        clients.get(0).send(true, RawWebSocket.TEXT, new byte[] {(byte) 0xFF});
        clients.get(1).send(true, RawWebSocket.BINARY, new byte[] {1, 2, 3});
        clients.get(2).sendText("x".repeat(MAX_FRAME_BYTES * 2));
        clients.get(3).sendText("[".repeat(3000));
        clients.get(3).abort(); // gone without a close frame
        clients.get(4).send(false, RawWebSocket.TEXT, "{\"target_id\":".getBytes(StandardCharsets.UTF_8));
        clients.get(4).abort(); // gone in the middle of a fragmented frame
        assertThat(clients.get(0).awaitCloseCode()).isEqualTo(1007);
        assertThat(clients.get(1).awaitCloseCode()).isEqualTo(1003);
        assertThat(clients.get(2).awaitCloseCode()).isEqualTo(1009);
        clients.forEach(RawWebSocket::close);
    }

    /** Alice and Bob take turns; returns what went wrong (nothing, when all is well). */
    static List<String> chat(ChatClient alice, ChatClient bob, int rounds) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            exchange(alice, bob, "a" + i, problems);
            exchange(bob, alice, "b" + i, problems);
        }
        return problems;
    }

    private static void exchange(ChatClient from, ChatClient to, String text, List<String> problems) {
        from.sendMessage(to.userId(), text, text);
        JsonObject queued = from.next("receipt");
        if (!"queued".equals(queued.getString("status")) || !text.equals(queued.getString("client_msg_id"))) {
            problems.add(text + ": " + queued);
        }
        JsonObject message = to.receiveAndAck();
        if (!text.equals(message.getString("message")) || message.getBoolean("redelivered")) {
            problems.add(text + " arrived as " + message);
        }
        JsonObject delivered = from.next("receipt");
        if (!"delivered".equals(delivered.getString("status"))
                || !queued.getString("message_id").equals(delivered.getString("message_id"))) {
            problems.add(text + ": " + delivered);
        }
    }

    private double openSessions() throws Exception {
        String text = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(base().resolve("/metrics?scope=application")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(line -> line.startsWith("chat_sessions_open"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no chat_sessions_open in " + text));
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }
}
