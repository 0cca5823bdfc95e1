package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

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
 * Issue 21: the server, not the broker's {@code consumer_timeout}, bounds how long a connection may
 * hold a delivery unacked. Every consumer on one shared channel, so that the broker closing that
 * channel would reset them all.
 */
@ExtendWith(ArquillianExtension.class)
class AckDeadlineIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("ackdeadline", Map.of(
                "chat.delivery.ack-timeout", "3s",
                "chat.heartbeat.interval", "500ms",
                // the client answers pings: only the ack deadline may close it
                "chat.heartbeat.timeout", "60s",
                "chat.amqp.consumers-per-channel", "1000"));
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "ackdeadline");
    }

    @Test
    void aClientThatNeverAcksIsClosedAloneAndItsMessageComesAgain() {
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient c = ChatClient.connect(base(), carol)) {
            String unacked;
            try (ChatClient neverAcks = ChatClient.connect(base(), bob)) {
                unacked = queued(a, bob, "ack me");
                assertThat(neverAcks.next("message").getString("message_id")).isEqualTo(unacked);
                String before = queued(a, carol, "before");
                assertThat(c.receiveAndAck().getString("message_id")).isEqualTo(before);

                ChatClient.Closed closed = neverAcks.awaitClosed();
                assertThat(closed.code()).isEqualTo(1008);
                assertThat(closed.reason()).isEqualTo("delivery not acknowledged within 3 s");
            }

            // carol's consumer on the same channel was not touched: her next message comes once, as new
            String after = queued(a, carol, "after");
            JsonObject message = c.receiveAndAck();
            assertThat(message.getString("message_id")).isEqualTo(after);
            assertThat(message.getBoolean("redelivered")).isFalse();
            c.expectNothingFor(Duration.ofSeconds(1));

            try (ChatClient back = ChatClient.connect(base(), bob)) {
                JsonObject again = back.next("message");
                assertThat(again.getString("message_id")).isEqualTo(unacked);
                assertThat(again.getBoolean("redelivered")).isTrue();
                back.ack(unacked);
            }
        }
    }

    /** Sends a message and gives its id once the broker has it. */
    private static String queued(ChatClient sender, String target, String text) {
        String clientMsgId = "c-" + java.util.UUID.randomUUID();
        sender.sendMessage(target, text, clientMsgId);
        JsonObject receipt = sender.next(f -> clientMsgId.equals(f.getString("client_msg_id", null)));
        assertThat(receipt.getString("status")).isEqualTo("queued");
        return receipt.getString("message_id");
    }
}
