package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.UserDirectoryClient;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code chat.delivery.persistent-receipts=false}: receipts go to the sender's inbox as transient
 * broker messages, messages stay persistent, and an offline sender still gets its receipt when it
 * comes back. Read on the broker itself (a {@code basic.get} on the inboxes, then requeued).
 */
@ExtendWith(ArquillianExtension.class)
class TransientReceiptsIT {

    static final String INBOXES = "test.receipts." + UUID.randomUUID().toString().substring(0, 8) + ".inbox.";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("receipts", Map.of("chat.delivery.persistent-receipts", "false",
                "chat.amqp.inbox-prefix", INBOXES));
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "receipts");
    }

    @Test
    void aReceiptWaitsTransientAndAMessagePersistentAndTheOfflineSenderGetsItsReceipt() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        UserDirectoryClient.provision(base(), bob, "tenant");
        String messageId;
        try (ChatClient a = ChatClient.connect(base(), alice)) {
            a.sendMessage(bob, "waits for bob", "c-1");
            messageId = a.next("receipt").getString("message_id");
        }
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(System.getProperty("chat.test.amqp.url", "amqp://guest:guest@127.0.0.1:5672"));
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            GetResponse message = take(channel, INBOXES + bob);
            assertThat(message.getProps().getMessageId()).isEqualTo(messageId);
            assertThat(message.getProps().getDeliveryMode()).as("the message's delivery mode").isEqualTo(2);
            channel.basicNack(message.getEnvelope().getDeliveryTag(), false, true);

            try (ChatClient b = ChatClient.connect(base(), bob)) {
                assertThat(b.receiveAndAck().getString("message_id")).isEqualTo(messageId);
            }
            GetResponse receipt = take(channel, INBOXES + alice);
            assertThat(receipt.getProps().getType()).isEqualTo("receipt");
            assertThat(receipt.getProps().getDeliveryMode()).as("the receipt's delivery mode").isEqualTo(1);
            channel.basicNack(receipt.getEnvelope().getDeliveryTag(), false, true);
        }
        try (ChatClient a = ChatClient.connect(base(), alice)) {
            JsonObject delivered = a.next("receipt");
            assertThat(delivered.getString("status")).isEqualTo("delivered");
            assertThat(delivered.getString("message_id")).isEqualTo(messageId);
            assertThat(delivered.getString("client_msg_id")).isEqualTo("c-1");
        }
    }

    /** The next message in the inbox, unacked on {@code channel}; waits until one is there. */
    private static GetResponse take(Channel channel, String inbox) {
        AtomicReference<GetResponse> taken = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            taken.set(channel.basicGet(inbox, false));
            return taken.get() != null;
        });
        return taken.get();
    }
}
