package com.estatechat.amqp.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.TcpProxy;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The broker is reached through a relay the test cuts and restores: the server starts without a
 * broker, comes up when it appears, reports {@code unavailable} while it is gone, and loses
 * nothing it accepted.
 */
@ExtendWith(ArquillianExtension.class)
class BrokerOutageIT {

    static final TcpProxy BROKER = TcpProxy.to(5672, false);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("outage", Map.of(
                "chat.amqp.url", "amqp://guest:guest@127.0.0.1:" + BROKER.port(),
                "chat.amqp.reconnect-interval", "500ms",
                "chat.amqp.confirm-timeout", "2s",
                "chat.heartbeat.interval", "1s",
                "chat.heartbeat.timeout", "30s"));
    }

    @AfterAll
    static void closeRelay() {
        BROKER.close();
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "outage");
    }

    @Test
    void outagesGiveUnavailableAndDeliveryResumesWithoutLoss() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            // 1. no broker since the start: the app is up, not ready, and refuses messages clearly
            HttpResponse<String> notReady = readiness();
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("amqp-broker").contains("DOWN");
            a.sendMessage(bob, "too early", "early");
            JsonObject early = a.next();
            assertThat(early.getString("code")).isEqualTo("unavailable");
            assertThat(early.getString("client_msg_id")).isEqualTo("early");

            // 2. the broker appears: the server connects, starts bob's consumer, and is ready
            BROKER.restore();
            await().atMost(Duration.ofSeconds(30)).until(() -> readiness().statusCode() == 200);
            List<String> accepted = new ArrayList<>();
            accepted.add(sendUntilQueued(a, bob, "first"));
            assertThat(b.receiveAndAck().getString("message")).isEqualTo("first");
            a.next(f -> "delivered".equals(f.getString("status", null)));

            // 3. the broker goes away: messages are refused, not lost in silence
            BROKER.cut();
            await().atMost(Duration.ofSeconds(15)).until(() -> readiness().statusCode() == 503);
            a.sendMessage(bob, "during outage", "during");
            JsonObject during = a.next();
            assertThat(during.getString("type")).isEqualTo("error");
            assertThat(during.getString("code")).isEqualTo("unavailable");
            assertThat(during.getString("client_msg_id")).isEqualTo("during");

            // 4. it comes back: recovery restores the connection and bob's consumer
            BROKER.restore();
            accepted.add(sendUntilQueued(a, bob, "after outage"));
            // at least once: an ack that was in flight when the link dropped may bring "first" again,
            // marked redelivered; a client drops such duplicates by message_id
            JsonObject after = b.next(f -> "message".equals(f.getString("type"))
                    && !(f.getBoolean("redelivered") && accepted.get(0).equals(f.getString("message_id"))));
            assertThat(after.getString("message")).isEqualTo("after outage");
            assertThat(after.getString("message_id")).isEqualTo(accepted.get(1));
            b.ack(after.getString("message_id"));
            JsonObject delivered = a.next(f -> "delivered".equals(f.getString("status", null))
                    && accepted.get(1).equals(f.getString("message_id")));
            assertThat(delivered.getString("target_id")).isEqualTo(bob);
        }
    }

    /** Sends until the broker takes it (retrying on {@code unavailable}, as a client should); returns its id. */
    static String sendUntilQueued(ChatClient sender, String target, String text) {
        String[] id = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            sender.sendMessage(target, text, null);
            JsonObject answer = sender.next(f -> !"delivered".equals(f.getString("status", null)));
            if ("receipt".equals(answer.getString("type"))) {
                id[0] = answer.getString("message_id");
                return true;
            }
            assertThat(answer.getString("code")).isEqualTo("unavailable");
            return false;
        });
        return id[0];
    }

    private HttpResponse<String> readiness() throws Exception {
        URI health = base().resolve("/health/ready");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
