package com.estatechat.support;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * The embedded conversation store (H2 in files) of one test class's server, and its history queue,
 * named here so that a test can see whether every event was taken. The files are read only while
 * no server holds them (after its stop), the way an operator would after a crash.
 */
public final class EmbeddedStore {

    private final String name = "embedded-" + UUID.randomUUID().toString().substring(0, 8);
    private final Path path = Path.of("target", "history", name, "chat").toAbsolutePath();
    private final String historyQueue = "test." + name + ".history";

    /** The settings that give the WAR this store and history queue. */
    public Map<String, String> settings() {
        return Map.of("chat.history.embedded-path", path.toString(), "chat.history.queue", historyQueue);
    }

    /** Events waiting in the history queue, not counting those a writer holds unacked. */
    public long eventsWaiting() {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(System.getProperty("chat.test.amqp.url", "amqp://guest:guest@127.0.0.1:5672"));
            try (Connection broker = factory.newConnection(); Channel channel = broker.createChannel()) {
                return channel.queueDeclarePassive(historyQueue).getMessageCount();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the history queue " + historyQueue, e);
        }
    }

    /** How many rows each of these messages has for its target; the server must be stopped. */
    public Map<String, Integer> targetRows(Collection<String> messageIds) {
        try (java.sql.Connection connection = DriverManager.getConnection("jdbc:h2:file:" + path
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "")) {
            return StoreRows.targetRows(connection, messageIds);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the embedded store " + path + ".mv.db", e);
        }
    }
}
