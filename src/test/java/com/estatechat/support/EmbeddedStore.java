package com.estatechat.support;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
        return targetRows(path, messageIds);
    }

    /**
     * Copies the store's file as it is now (no server holds it: after a kill, before the restart),
     * so that a lost row can be told apart: missing from the file the killed server left, or lost
     * when the next server opened it.
     *
     * @return the copy, beside the store, to give to {@link #targetRowsIn}
     */
    public Path keepCopy(String label) {
        Path copy = path.resolveSibling(path.getFileName() + "-" + label);
        try {
            Files.copy(file(path), file(copy), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the embedded store " + file(path), e);
        }
        return copy;
    }

    /** {@link #targetRows} of a copy that {@link #keepCopy} made; H2 opens it as it would the store after a crash. */
    public Map<String, Integer> targetRowsIn(Path copy, Collection<String> messageIds) {
        return targetRows(copy, messageIds);
    }

    private static Map<String, Integer> targetRows(Path store, Collection<String> messageIds) {
        try (java.sql.Connection connection = DriverManager.getConnection("jdbc:h2:file:" + store
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "sa", "")) {
            return StoreRows.targetRows(connection, messageIds);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the embedded store " + file(store), e);
        }
    }

    private static Path file(Path store) {
        return store.resolveSibling(store.getFileName() + ".mv.db");
    }
}
