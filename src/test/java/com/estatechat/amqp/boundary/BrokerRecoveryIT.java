package com.estatechat.amqp.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.ServerMetrics;
import com.estatechat.support.TcpProxy;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Inbox consumers across a broker outage (issue 11, defects 2 and 3): the server, not the client
 * library's recovery, decides which consumers run once the broker is back. The broker is reached
 * through a relay the test cuts; the test reaches the broker directly to play the operator.
 */
@ExtendWith(ArquillianExtension.class)
class BrokerRecoveryIT {

    static final TcpProxy BROKER = TcpProxy.to(5672, true);
    static final String NAME = "recovery";
    static final String PREFIX = "test." + NAME + "." + java.util.UUID.randomUUID().toString().substring(0, 8);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat(NAME, Map.of(
                "chat.amqp.url", "amqp://guest:guest@127.0.0.1:" + BROKER.port(),
                "chat.amqp.exchange", PREFIX,
                "chat.amqp.inbox-prefix", PREFIX + ".inbox.",
                "chat.amqp.reconnect-interval", "500ms",
                "chat.amqp.confirm-timeout", "2s",
                "chat.heartbeat.interval", "1s",
                "chat.heartbeat.timeout", "60s"));
    }

    @AfterAll
    static void closeRelay() {
        BROKER.close();
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, NAME);
    }

    /**
     * Defect 2: a user who left while the broker was away kept a consumer, brought back by the
     * client library's recovery, that took half of the user's messages and never showed them.
     */
    @Test
    void aUserWhoLeftDuringAnOutageGetsEveryMessageWhenBack() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice)) {
            double before;
            try (ChatClient b = ChatClient.connect(base(), bob)) {
                before = ServerMetrics.sessionsOpen(base());
                outage();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> ServerMetrics.sessionsOpen(base()) == before - 1);
            restore();
            try (ChatClient b = ChatClient.connect(base(), bob)) {
                Set<String> sent = new HashSet<>();
                for (int i = 0; i < 20; i++) {
                    sent.add(BrokerOutageIT.sendUntilQueued(a, bob, "after " + i));
                }
                Set<String> received = new HashSet<>();
                for (int i = 0; i < 20; i++) {
                    received.add(b.receiveAndAck().getString("message_id"));
                }
                assertThat(received).isEqualTo(sent);
            }
        }
    }

    /**
     * Defect 3: a consumer the client library failed to recover (here: the inbox was declared
     * again with other arguments while the server was cut off) was never noticed: the user stayed
     * connected and received nothing. Now the server consumes it again once the broker is back,
     * and an inbox whose arguments differ from the settings (RabbitMQ answers 406) is used as it is.
     */
    @Test
    void aConsumerThatCannotBeRestoredAsItWasIsStartedAgainOnTheInboxAsItIs() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            outage();
            try (Connection direct = directConnection(); Channel channel = direct.createChannel()) {
                channel.queueDelete(PREFIX + ".inbox." + bob);
                channel.queueDeclare(PREFIX + ".inbox." + bob, true, false, false, Map.of("x-max-length", 7));
                channel.queueBind(PREFIX + ".inbox." + bob, PREFIX, bob);
            }
            restore();
            String id = BrokerOutageIT.sendUntilQueued(a, bob, "after the outage");
            JsonObject message = b.next(f -> "message".equals(f.getString("type")) && id.equals(f.getString("message_id")));
            assertThat(message.getString("message")).isEqualTo("after the outage");
        }
    }

    /**
     * An inbox deleted under its consumer is a removed user (issue 12): its sessions end with 1008
     * on every node instead of declaring the inbox anew, sends to it are unknown_user, and the
     * user is known again when it connects again.
     */
    @Test
    void anInboxDeletedUnderItsConsumerEndsTheUsersSessions() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice)) {
            try (ChatClient b = ChatClient.connect(base(), bob)) {
                try (Connection direct = directConnection(); Channel channel = direct.createChannel()) {
                    channel.queueDelete(PREFIX + ".inbox." + bob);
                }
                ChatClient.Closed closed = b.awaitClosed();
                assertThat(closed.code()).isEqualTo(1008);
                assertThat(closed.reason()).isEqualTo("user removed");
            }
            a.sendMessage(bob, "anyone?", "gone");
            assertThat(a.next("error").getString("code")).isEqualTo("unknown_user");
            try (ChatClient b = ChatClient.connect(base(), bob)) {
                String id = BrokerOutageIT.sendUntilQueued(a, bob, "welcome back");
                JsonObject message = b.next(f -> "message".equals(f.getString("type"))
                        && id.equals(f.getString("message_id")));
                assertThat(message.getString("message")).isEqualTo("welcome back");
            }
        }
    }

    /**
     * Issue 21: every consumer the broker cancelled was taken for a removed user, but a classic
     * queue whose node goes down cancels its consumers too, and the inbox is there again when the
     * node is back. Here bob's inbox is deleted and declared again while what the server asks the
     * broker is held back: when the server looks, the inbox exists, so bob's consumer is lost, not
     * bob. He keeps his session and is subscribed again.
     */
    @Test
    void aConsumerCancelledWhileItsInboxExistsIsSubscribedAgain() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            BROKER.holdToBroker();
            try (Connection direct = directConnection(); Channel channel = direct.createChannel()) {
                channel.queueDelete(PREFIX + ".inbox." + bob); // the broker cancels bob's consumer
                channel.queueDeclare(PREFIX + ".inbox." + bob, true, false, false, Map.of());
                channel.queueBind(PREFIX + ".inbox." + bob, PREFIX, bob);
            } finally {
                BROKER.release();
            }
            String id = BrokerOutageIT.sendUntilQueued(a, bob, "still here");
            JsonObject message = b.next(f -> "message".equals(f.getString("type")) && id.equals(f.getString("message_id")));
            assertThat(message.getString("message")).isEqualTo("still here");
            assertThat(b.isClosed()).isFalse();
        }
    }

    private void outage() {
        BROKER.cut();
        await().atMost(Duration.ofSeconds(15)).until(() -> readiness() == 503);
    }

    private void restore() {
        BROKER.restore();
        await().atMost(Duration.ofSeconds(30)).until(() -> readiness() == 200);
    }

    private static Connection directConnection() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(System.getProperty("chat.test.amqp.url", "amqp://guest:guest@127.0.0.1:5672"));
        return factory.newConnection("test-operator");
    }

    private int readiness() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base().resolve("/health/ready"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
