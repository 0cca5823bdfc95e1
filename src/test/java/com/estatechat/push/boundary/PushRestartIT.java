package com.estatechat.push.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The push delay is the broker's: the only node stops (SIGTERM) while a message waits for it and
 * starts again after it; the message is pushed once, by the new process.
 */
class PushRestartIT {

    private static final String SECRET = "it-secret-" + UUID.randomUUID();
    private static final Duration DELAY = Duration.ofSeconds(10);

    @Test
    void aMessageDueWhileTheNodeWasDownIsPushedOnceAfterItStarts() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        List<String> signatures = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/push", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            signatures.add(exchange.getRequestHeaders().getFirst("X-Estate-Chat-Signature"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        try (PayaraMicroProcess node = new PayaraMicroProcess(Deployments.chat("pushrestart", Map.of(
                "chat.push.webhook-url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/push",
                "chat.push.secret", SECRET,
                "chat.push.delay", DELAY.toSeconds() + "s")))) {
            URI base = node.start();
            String bob = user("bob");
            ChatClient.connect(base, bob).close();
            String messageId;
            long sent;
            try (ChatClient alice = ChatClient.connect(base, user("alice"))) {
                alice.sendMessage(bob, "are you there?", "r1");
                messageId = alice.next(frame -> "queued".equals(frame.getString("status", null))).getString("message_id");
                sent = System.nanoTime();
            }
            node.stop();
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("stopped within the delay").isLessThan(DELAY);
            assertThat(bodies).isEmpty();

            node.start();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> !bodies.isEmpty());
            Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> bodies.size() == 1);
            JsonObject push = Json.createReader(new StringReader(bodies.get(0))).readObject();
            assertThat(push.getString("user_id")).isEqualTo(bob);
            assertThat(push.getString("message_id")).isEqualTo(messageId);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            assertThat(signatures.get(0)).isEqualTo("sha256=" + HexFormat.of()
                    .formatHex(mac.doFinal(bodies.get(0).getBytes(StandardCharsets.UTF_8))));
        } finally {
            receiver.stop(0);
        }
    }
}
