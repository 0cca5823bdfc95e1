package com.estatechat.amqp.control;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;
import java.util.UUID;

/**
 * Nodes' notices on the local RabbitMQ (skipped without one), each a {@link NodeNotices} of its
 * own on one broker connection, under names no other test uses; {@link #close} deletes them.
 */
public final class TestNodes implements AutoCloseable {

    /** The prefix of this instance's presence exchange and node queues. */
    final String prefix = "test.nn." + UUID.randomUUID().toString().substring(0, 8) + ".";
    private final BrokerConnection broker = new BrokerConnection();
    private final ChatSettings settings = new ChatSettings() {
        @Override public String amqpUrl() { return BrokerConnectionTest.BROKER; }
        @Override public boolean embeddedBroker() { return false; }
        @Override public Duration confirmTimeout() { return Duration.ofSeconds(5); }
        @Override public Duration reconnectInterval() { return Duration.ofSeconds(5); }
        @Override public int channelsPerConnection() { return 2000; }
        @Override public boolean fanOut() { return true; }
        @Override public String presenceExchange() { return prefix + "presence"; }
        @Override public String nodePrefix() { return prefix + "node."; }
    };

    public TestNodes() {
        assumeTrue(BrokerConnectionTest.brokerListens(), "no AMQP broker on 127.0.0.1:5672");
        broker.settings = settings;
        broker.connectedEvents = new BrokerConnectionTest().new Recorder();
        broker.start(new Object());
    }

    /** A node's notices, open: its queue is declared with its first join. */
    public NodeNotices node() {
        NodeNotices node = new NodeNotices();
        node.broker = broker;
        node.settings = settings;
        node.open();
        return node;
    }

    @Override
    public void close() throws Exception {
        broker.close();
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.exchangeDelete(prefix + "presence");
        }
    }
}
