package com.estatechat.amqp.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dead-letter queue, on a real RabbitMQ (no server): issue 22, item 5. */
class InboxTopologyTest {

    final String prefix = "test.it." + UUID.randomUUID().toString().substring(0, 8) + ".";
    final BrokerConnection broker = new BrokerConnection();
    final InboxTopology cut = new InboxTopology();
    Duration deadLetterTtl = Duration.ofSeconds(1);

    @AfterEach
    void close() throws Exception {
        broker.close();
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.exchangeDelete(prefix + "exchange");
            channel.exchangeDelete(prefix + "dead-letter");
            channel.queueDelete(prefix + "dead-letter");
        }
    }

    private void start() {
        assumeTrue(BrokerConnectionTest.brokerListens(), "no AMQP broker on 127.0.0.1:5672");
        ChatSettings settings = new ChatSettings() {
            @Override public String amqpUrl() { return BrokerConnectionTest.BROKER; }
            @Override public boolean embeddedBroker() { return false; }
            @Override public Duration confirmTimeout() { return Duration.ofSeconds(5); }
            @Override public Duration reconnectInterval() { return Duration.ofSeconds(5); }
            @Override public String exchange() { return prefix + "exchange"; }
            @Override public String inboxPrefix() { return prefix + "inbox."; }
            @Override public String deadLetterExchange() { return prefix + "dead-letter"; }
            @Override public Duration deadLetterTtl() { return deadLetterTtl; }
            @Override public QueueType queueType() { return QueueType.CLASSIC; }
        };
        broker.settings = settings;
        broker.connectedEvents = new BrokerConnectionTest().new Recorder();
        broker.start(new Object());
        cut.settings = settings;
        cut.broker = broker;
    }

    /**
     * A dead letter is a message's body (what expired in an inbox, what could not be read): it
     * goes after {@code chat.amqp.dead-letter-ttl}, so an erased user's words do not stay there
     * for ever (it failed: the queue kept it).
     */
    @Test
    void aDeadLetterGoesAfterTheDeadLetterTtl() throws Exception {
        start();
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            cut.ensureExchanges(channel);
            channel.basicPublish(prefix + "dead-letter", "", null, "an erased user's words".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> channel.queueDeclarePassive(prefix + "dead-letter").getMessageCount() == 1);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel.queueDeclarePassive(prefix + "dead-letter").getMessageCount() == 0);
        }
    }

    /**
     * A dead-letter queue an earlier version declared without a TTL cannot be declared again with
     * one (the broker answers 406 and closes the channel): it is used as it is, with a warning, and
     * the caller's channel stays open.
     */
    @Test
    void aDeadLetterQueueDeclaredWithoutATtlIsUsedAsItIs() throws Exception {
        start();
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(prefix + "dead-letter", true, false, false,
                    java.util.Map.of("x-queue-type", "classic"));

            cut.ensureExchanges(channel);

            assertThat(channel.isOpen()).isTrue();
            channel.basicPublish(prefix + "dead-letter", "", null, "kept".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> channel.queueDeclarePassive(prefix + "dead-letter").getMessageCount() == 1);
        }
    }
}
