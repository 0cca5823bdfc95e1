package com.estatechat.amqp.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.RabbitMqNode;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.util.Map;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code chat.amqp.queue-type=quorum}, the queue type for a clustered broker (a single RabbitMQ
 * node runs quorum queues too): inboxes are quorum queues, and delivery, redelivery and the inbox
 * limit work as with classic ones.
 */
@ExtendWith(ArquillianExtension.class)
class QuorumQueueIT {

    private static final String PREFIX = "test.quorum." + UUID.randomUUID().toString().substring(0, 8) + ".inbox.";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("quorum", Map.of("chat.amqp.queue-type", "quorum", "chat.amqp.inbox-prefix", PREFIX,
                "chat.inbox.max-length", "3"));
    }

    @ArquillianResource
    URL base;

    @Test
    void inboxesAreQuorumQueuesAndDeliveryWorksTheSame() throws Exception {
        URI root = Deployments.root(base, "quorum");
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(root, alice)) {
            try (ChatClient b = ChatClient.connect(root, bob)) {
                a.sendMessage(bob, "to a quorum queue", null);
                String id = a.next("receipt").getString("message_id");
                JsonObject first = b.next("message");
                assertThat(first.getString("message_id")).isEqualTo(id);
                assertThat(first.getBoolean("redelivered")).isFalse();
                b.abort(); // unacked: back to the inbox
            }
            try (ChatClient b = ChatClient.connect(root, bob)) {
                JsonObject again = b.receiveAndAck();
                assertThat(again.getString("message")).isEqualTo("to a quorum queue");
                assertThat(again.getBoolean("redelivered")).isTrue();
                assertThat(a.next(f -> "delivered".equals(f.getString("status", null))).getString("target_id"))
                        .isEqualTo(bob);
            }
            // bob is offline: his inbox fills up, then refuses
            int queued = 0;
            JsonObject answer;
            do {
                a.sendMessage(bob, "while away " + queued, "away-" + queued);
                answer = a.next(f -> !"delivered".equals(f.getString("status", null)));
                if ("receipt".equals(answer.getString("type"))) {
                    queued++;
                }
            } while ("receipt".equals(answer.getString("type")) && queued < 10);
            assertThat(answer.getString("code")).isEqualTo("inbox_full");
            assertThat(answer.getString("client_msg_id")).isEqualTo("away-" + queued);
            // a quorum queue refuses once it is over the limit, so it may hold one more (RabbitMQ 3.10: 4)
            assertThat(queued).as("messages queued in a 3-message inbox").isBetween(3, 4);
        }
        assertThat(RabbitMqNode.queueType(PREFIX + bob)).isEqualTo("quorum");
        assertThat(RabbitMqNode.queueType(PREFIX + alice)).isEqualTo("quorum");
    }
}
