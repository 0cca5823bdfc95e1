package com.estatechat.history.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.history.entity.HistoryEvent;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.util.TypeLiteral;
import java.io.File;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Conversation stores for unit tests, on either database the store runs on: {@code h2} (the
 * embedded one, in files of its own) or {@code postgresql} (127.0.0.1:5432, user postgres, trust,
 * as {@code .ci/run} has it; a fresh schema each time, so that runs never see each other's rows).
 * And the events the writer would apply.
 */
public final class TestStores {

    private TestStores() {
    }

    /** An open store; close it with {@link #close}. */
    public static ConversationStore open(String database) {
        return open(database, new File("target/history/unit-" + UUID.randomUUID()).getAbsolutePath());
    }

    /** An open store, whose embedded database (if {@code h2}) is at {@code embeddedPath}. */
    public static ConversationStore open(String database, String embeddedPath) {
        ConversationStore store = create(database, embeddedPath);
        store.start(null);
        assertThat(store.isReady()).as(store.lastFailure()).isTrue();
        return store;
    }

    /** A store not started yet; close it with {@link #close}. */
    static ConversationStore create(String database) {
        return create(database, new File("target/history/unit-" + UUID.randomUUID()).getAbsolutePath());
    }

    /** A store not started yet, whose embedded database (if {@code h2}) is at {@code embeddedPath}. */
    public static ConversationStore create(String database, String embeddedPath) {
        HistorySettings settings = new HistorySettings();
        settings.embeddedPath = embeddedPath;
        settings.queue = "unused";
        settings.batchSize = 10;
        settings.batchWait = "10ms";
        settings.retryInterval = "1s";
        settings.syncLimit = 200;
        settings.retention = "0s";
        settings.readsInFlight = 4;
        settings.readsPerSecond = 10;
        settings.readsBurst = 20;
        settings.check();
        StoreDataSource dataSources = database.equals("h2") ? new StoreDataSource() : new StoreDataSource() {
            @Override
            synchronized DataSource open() {
                return postgres();
            }
        };
        dataSources.settings = settings;
        ConversationStore store = new ConversationStore();
        store.settings = settings;
        store.dataSources = dataSources;
        return store;
    }

    /** The exit code of a process that {@link #halt}ed. */
    public static final int HALTED = 137;

    /** Ends this process at once, as {@code kill -9} does: no shutdown hook runs, nothing is closed. */
    public static void halt() {
        Runtime.getRuntime().halt(HALTED);
    }

    /**
     * Runs {@code main} in a JVM of its own, on this one's class path, and waits (a minute at most) for
     * it to {@link #halt}: a process that dies right after its work.
     */
    public static void runUntilHalted(Class<?> main, String... args) throws Exception {
        Path output = Files.createTempFile("halted", ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        assertThat(process.exitValue()).as("%s's exit; its output: %s", main.getSimpleName(), Files.readString(output))
                .isEqualTo(HALTED);
    }

    /** The store's threads for calls off the caller's thread, with the default share per user. */
    public static StoreReads reads(ConversationStore store) {
        StoreReads reads = new StoreReads();
        reads.store = store;
        reads.limits = new ReadLimits(4, 10, 20, System::nanoTime);
        reads.metrics = new HistoryMetrics();
        return reads;
    }

    public static void stop(StoreReads reads) {
        reads.stop();
    }

    public static void close(ConversationStore store) {
        if (store != null) {
            store.close();
            store.dataSources.close();
        }
    }

    private static DataSource postgres() {
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setURL("jdbc:postgresql://127.0.0.1:5432/postgres");
        admin.setUser("postgres");
        String schema = "unit_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection connection = admin.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        } catch (Exception e) {
            throw new IllegalStateException("PostgreSQL on 127.0.0.1:5432 (user postgres, trust) is needed", e);
        }
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL("jdbc:postgresql://127.0.0.1:5432/postgres?currentSchema=" + schema);
        source.setUser("postgres");
        return source;
    }

    /** A new message id, later than every one before it (UUIDv7, as the server's). */
    public static String id() {
        return com.github.f4b6a3.uuid.UuidCreator.getTimeOrderedEpochPlus1().toString();
    }

    /** A message from a tenant, accepted by the broker. */
    public static HistoryEvent message(String id, String from, String to) {
        return HistoryEvent.message(id, from, "tenant", to, "hello " + id, "c-" + id.substring(0, 8),
                "2026-11-30T12:00:00Z");
    }

    /** The recipient's ack of that message. */
    public static HistoryEvent delivered(HistoryEvent message, String recipient) {
        return HistoryEvent.delivered(recipient, "2026-11-30T12:00:01Z", message.messageId(), message.senderId(),
                message.senderRole(), message.targetId(), message.message(), message.clientMsgId(), message.sentAt());
    }

    /** The CDI event, handing what is fired to a test's observer on the firing thread, as CDI does. */
    record Observed(Consumer<StoreOpened> observer) implements Event<StoreOpened> {
        @Override
        public void fire(StoreOpened event) {
            observer.accept(event);
        }

        @Override
        public <U extends StoreOpened> CompletionStage<U> fireAsync(U event) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends StoreOpened> CompletionStage<U> fireAsync(U event, NotificationOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Event<StoreOpened> select(Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends StoreOpened> Event<U> select(Class<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends StoreOpened> Event<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }
    }
}
