package com.estatechat.mqtt.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 21 over MQTT: a client that keeps its connection alive (Paho's PINGREQ) but never sends the
 * PUBACK of a message is closed by the server at {@code chat.delivery.ack-timeout}, like one on
 * {@code /ws}; its message comes again with DUP.
 */
@ExtendWith(ArquillianExtension.class)
class MqttAckDeadlineIT {

    static final String NAME = "mqttackdeadline";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat(NAME, Map.of(
                "chat.auth.mode", "jwt",
                "chat.auth.jwt.secret", MqttIT.SECRET,
                "chat.allowed-origins", "*",
                "chat.delivery.ack-timeout", "3s",
                "chat.heartbeat.interval", "500ms",
                "chat.heartbeat.timeout", "60s"));
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, NAME);
    }

    @Test
    void anMqttClientThatNeverAcknowledgesIsClosedAndItsMessageComesAgainWithDup() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient b = ChatClient.connect(URI.create(base().toString().replaceFirst("^http", "ws") + "ws"), bob,
                "tenant", Map.of("Authorization", "Bearer " + MqttIT.token(bob)))) {
            String id;
            MqttChatClient phone = MqttChatClient.open(base(), alice, MqttIT.token(alice), false, true);
            try {
                phone.subscribeOwnTopic();
                phone.next("connected");
                b.sendMessage(alice, "ack me", "d-1");
                id = b.next("receipt").getString("message_id");
                assertThat(phone.next("message").frame().getString("message_id")).isEqualTo(id);

                // never acknowledged: closed by the server at the deadline, long before its keep-alive ends
                await().atMost(Duration.ofSeconds(10)).until(() -> !phone.isConnected());
            } finally {
                phone.close();
            }

            try (MqttChatClient again = MqttChatClient.open(base(), alice, MqttIT.token(alice), false, true)) {
                MqttChatClient.Arrived second = again.next("message");
                assertThat(second.frame().getString("message_id")).isEqualTo(id);
                assertThat(second.message().isDuplicate()).isTrue();
                assertThat(second.frame().getBoolean("redelivered")).isTrue();
                again.ack(second);
                JsonObject delivered = b.next("receipt");
                assertThat(delivered.getString("status")).isEqualTo("delivered");
                assertThat(delivered.getString("message_id")).isEqualTo(id);
            }
        }
    }
}
