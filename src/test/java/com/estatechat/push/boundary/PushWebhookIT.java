package com.estatechat.push.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ApiClient;
import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.ServerMetrics;
import com.estatechat.support.TcpProxy;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 23's push on Payara Micro, with a real HTTP receiver in this JVM and a delay of 2 s: a
 * message no device acked is pushed once, signed; an acked one is not; messages to a user who is
 * away make one call; a failing webhook is called again, then dead-lettered; the user's switch.
 */
@ExtendWith(ArquillianExtension.class)
class PushWebhookIT {

    private static final String SECRET = "it-secret-" + UUID.randomUUID();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String DEAD_LETTERS = "test.push." + RUN + ".dead-letter";
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A call the receiver took: the body as sent and its signature header. */
    record Call(String body, String signature) {
        JsonObject json() {
            return Json.createReader(new StringReader(body)).readObject();
        }
    }

    private static final Map<String, List<Call>> CALLS = new ConcurrentHashMap<>();
    /** Statuses to answer a user's calls with, in turn; 200 once none is left. */
    private static final Map<String, Queue<Integer>> ANSWERS = new ConcurrentHashMap<>();
    private static final AtomicReference<HttpServer> RECEIVER = new AtomicReference<>();
    /** The server reaches the broker through it; a test cuts it. */
    private static final TcpProxy BROKER = TcpProxy.to(5672, true);

    @Deployment(testable = false)
    static WebArchive deployment() throws IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/push", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Call call = new Call(body, exchange.getRequestHeaders().getFirst("X-Estate-Chat-Signature"));
            String userId = call.json().getString("user_id");
            CALLS.computeIfAbsent(userId, id -> new CopyOnWriteArrayList<>()).add(call);
            Queue<Integer> answers = ANSWERS.get(userId);
            Integer status = answers == null ? null : answers.poll();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        receiver.start();
        RECEIVER.set(receiver);
        return Deployments.chat("push", Map.of(
                "chat.push.webhook-url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/push",
                "chat.push.secret", SECRET,
                "chat.push.delay", "2s",
                "chat.push.attempts", "3",
                "chat.push.retry-backoff", "200ms",
                "chat.amqp.dead-letter-exchange", DEAD_LETTERS,
                "chat.amqp.url", "amqp://guest:guest@127.0.0.1:" + BROKER.port(),
                "chat.amqp.reconnect-interval", "500ms"));
    }

    @AfterAll
    static void stopReceiver() {
        HttpServer receiver = RECEIVER.getAndSet(null);
        if (receiver != null) {
            receiver.stop(0);
        }
        BROKER.close();
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "push");
    }

    private static List<Call> calls(String userId) {
        return CALLS.getOrDefault(userId, List.of());
    }

    /** A user with an inbox and no device connected. */
    private String away(String prefix) {
        String userId = user(prefix);
        ChatClient.connect(base(), userId).close();
        return userId;
    }

    private static String send(ChatClient from, String to, String text) {
        String clientMsgId = UUID.randomUUID().toString();
        from.sendMessage(to, text, clientMsgId);
        return from.next(frame -> "receipt".equals(frame.getString("type", null))
                && "queued".equals(frame.getString("status", null))
                && clientMsgId.equals(frame.getString("client_msg_id", null))).getString("message_id");
    }

    private static String hmac(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** Waits until the user got exactly {@code count} calls, and no more for a while after. */
    private static List<Call> awaitCalls(String userId, int count) {
        Awaitility.await().atMost(WAIT).until(() -> calls(userId).size() >= count);
        Awaitility.await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .until(() -> calls(userId).size() == count);
        return calls(userId);
    }

    @Test
    void aMessageNoDeviceAckedIsPushedOnceSignedAndAnAckedOneIsNot() throws Exception {
        String alice = user("alice");
        String bob = away("bob");
        String carol = user("carol");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient c = ChatClient.connect(base(), carol)) {
            String acked = send(a, carol, "see you at 10");
            assertThat(c.receiveAndAck().getString("message_id")).isEqualTo(acked);
            String messageId = send(a, bob, "is the flat still free?");

            // bob's push comes after carol's message was due: had it been pushed, it came first
            Call call = awaitCalls(bob, 1).get(0);
            assertThat(calls(carol)).as("acked before the delay").isEmpty();
            assertThat(call.signature()).isEqualTo(hmac(call.body()));
            JsonObject push = call.json();
            assertThat(push.getString("type")).isEqualTo("push");
            assertThat(push.getString("user_id")).isEqualTo(bob);
            assertThat(push.getString("message_id")).isEqualTo(messageId);
            assertThat(push.getString("sender_id")).isEqualTo(alice);
            assertThat(push.getString("sender_role")).isEqualTo("tenant");
            assertThat(push.getString("sent_at")).endsWith("Z");
            assertThat(push.getString("preview")).isEqualTo("is the flat still free?");
            assertThat(push.getInt("count")).isEqualTo(1);
        }
    }

    @Test
    void messagesToAUserWhoIsAwayMakeOneCallWithTheirCount() {
        String alice = user("alice");
        String bob = away("bob");
        try (ChatClient a = ChatClient.connect(base(), alice)) {
            send(a, bob, "one");
            send(a, bob, "two");
            String newest = send(a, bob, "three");

            JsonObject push = awaitCalls(bob, 1).get(0).json();
            assertThat(push.getInt("count")).isEqualTo(3);
            assertThat(push.getString("message_id")).isEqualTo(newest);
            assertThat(push.getString("preview")).isEqualTo("three");
        }
    }

    @Test
    void aWebhookAnswering500IsCalledAgainAndDeadLetteredAfterTheLastAttempt() throws Exception {
        String alice = user("alice");
        String bob = away("bob");
        String dave = away("dave");
        ANSWERS.put(bob, new ArrayDeque<>(List.of(500, 500)));
        ANSWERS.put(dave, new ArrayDeque<>(List.of(503, 500, 502)));
        try (ChatClient a = ChatClient.connect(base(), alice)) {
            send(a, bob, "hello bob");
            String toDave = send(a, dave, "hello dave");

            List<Call> toBob = awaitCalls(bob, 3);
            assertThat(toBob).extracting(Call::body).as("the same push each time").containsOnly(toBob.get(0).body());
            awaitCalls(dave, 3);
            assertThat(ANSWERS.get(dave)).as("every answer was used").isEmpty();

            ConnectionFactory factory = new ConnectionFactory();
            factory.setUri(System.getProperty("chat.test.amqp.url", "amqp://guest:guest@127.0.0.1:5672"));
            try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
                AtomicReference<GetResponse> dead = new AtomicReference<>();
                Awaitility.await().atMost(WAIT).until(() -> {
                    GetResponse got = channel.basicGet(DEAD_LETTERS, true);
                    if (got != null && new String(got.getBody(), StandardCharsets.UTF_8).contains(toDave)) {
                        dead.set(got);
                    }
                    return dead.get() != null;
                });
                assertThat(String.valueOf(dead.get().getProps().getHeaders().get("x-estate-chat-reason")))
                        .contains("HTTP 502").contains("3 of 3");
            }
            Map<String, Double> metrics = ServerMetrics.read(base());
            assertThat(metrics.get("chat_push_sent_total")).as("bob's third call").isGreaterThanOrEqualTo(1.0);
            assertThat(metrics.get("chat_push_calls_failed_total")).isGreaterThanOrEqualTo(5.0);
            assertThat(metrics.get("chat_push_dead_lettered_total")).isGreaterThanOrEqualTo(1.0);
        }
    }

    /** The client library recovers the channel but not its consumer: the server consumes again itself. */
    @Test
    void pushGoesOnAfterABrokerOutage() {
        BROKER.cut();
        Awaitility.await().atMost(WAIT).until(() -> readiness().statusCode() == 503);
        BROKER.restore();
        Awaitility.await().atMost(WAIT).until(() -> readiness().statusCode() == 200);
        String bob = away("bob");
        try (ChatClient a = ChatClient.connect(base(), user("alice"))) {
            String messageId = send(a, bob, "after the outage");
            assertThat(awaitCalls(bob, 1).get(0).json().getString("message_id")).isEqualTo(messageId);
        }
    }

    private HttpResponse<String> readiness() {
        return ApiClient.send(HttpRequest.newBuilder(base().resolve("/health/ready")).build());
    }

    @Test
    void readinessSaysThisNodePushes() {
        HttpResponse<String> ready = readiness();
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        JsonObject push = Json.createReader(new StringReader(ready.body())).readObject().getJsonArray("checks")
                .getValuesAs(JsonObject.class).stream().filter(check -> "push".equals(check.getString("name")))
                .findFirst().orElseThrow();
        assertThat(push.getString("status")).isEqualTo("UP");
        // Payara writes a check's boolean data as strings
        JsonObject data = push.getJsonObject("data");
        assertThat(String.valueOf(data.get("enabled")).replace("\"", "")).isEqualTo("true");
        assertThat(String.valueOf(data.get("consuming")).replace("\"", "")).isEqualTo("true");
    }

    @Test
    void aUserWhoTurnedPushOffGetsNoCall() {
        String alice = user("alice");
        String bob = away("bob");
        String carol = away("carol");
        HttpResponse<String> off = ApiClient.send(HttpRequest.newBuilder(ApiClient.uri(base(), "me/push",
                        Map.of("id", bob, "role", "tenant")))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"enabled\":false}")).build());
        assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
        assertThat(off.body()).contains("\"enabled\":false");
        assertThat(ApiClient.get(base(), "me/push", Map.of("id", bob, "role", "tenant")).body())
                .contains("\"enabled\":false");
        try (ChatClient a = ChatClient.connect(base(), alice)) {
            send(a, bob, "for bob");
            send(a, carol, "for carol");

            awaitCalls(carol, 1);
            assertThat(calls(bob)).isEmpty();
        }
    }

    /**
     * The switch is a write the embedded store gives up to half a second: a flood of them from one
     * user is held to that user's share of the store's threads (429 past it) instead of queueing
     * without end, and every call is answered.
     */
    @Test
    void aFloodOfSwitchesIsHeldToTheUsersShareAndEveryCallIsAnswered() throws Exception {
        String flooder = user("mallory");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> flood = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            flood.add(http.sendAsync(HttpRequest.newBuilder(ApiClient.uri(base(), "me/push",
                            Map.of("id", flooder, "role", "tenant")))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"enabled\":" + (i % 2 == 0) + "}")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> call : flood) {
            answers.add(call.get(30, TimeUnit.SECONDS));
        }

        assertThat(answers).extracting(HttpResponse::statusCode).containsOnly(200, 429).contains(200, 429);
        assertThat(answers).filteredOn(answer -> answer.statusCode() == 429)
                .allSatisfy(answer -> assertThat(answer.headers().firstValue("Retry-After")).isPresent());
        assertThat(ApiClient.get(base(), "me/push", Map.of("id", user("trent"), "role", "tenant")).statusCode())
                .as("another user's switch").isEqualTo(200);
    }
}
