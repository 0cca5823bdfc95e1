package com.estatechat.history.control;

import com.estatechat.auth.entity.Broadcast;
import com.estatechat.concurrent.Workers;
import com.estatechat.history.entity.HistoryEvent;
import com.estatechat.history.entity.MessageStatus;
import com.estatechat.history.entity.StoredMessage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.spi.PersistenceProvider;
import jakarta.persistence.spi.PersistenceProviderResolverHolder;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The conversation store: every message and status change, kept in a relational database
 * ({@link StoreDataSource}) whose schema Flyway migrates at start ({@code db/estate-chat}). The
 * history writer is its only writer ({@link #apply}: one transaction per batch, each event
 * idempotent); the REST API and read receipts read it through Jakarta Persistence.
 * <p>
 * It opens on the deploying thread; when the database is not there yet it logs why (naming the
 * setting) and tries again every {@code chat.history.retry-interval} on a thread of its own, while
 * the chat goes on without it (events wait in the history queue).
 */
@ApplicationScoped
public class ConversationStore {

    private static final Logger LOG = Logger.getLogger(ConversationStore.class.getName());

    private static final String INSERT = "INSERT INTO chat_message (message_id, recipient_id, sender_id, sender_role,"
            + " target_id, body, client_msg_id, sent_at, status, delivered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT DO NOTHING";
    private static final String DELIVERED = "UPDATE chat_message SET status = 2, delivered_at = ?"
            + " WHERE message_id = ? AND recipient_id = ? AND status < 2";
    private static final String READ = "UPDATE chat_message SET status = 3, read_at = ?,"
            + " delivered_at = COALESCE(delivered_at, ?)"
            + " WHERE recipient_id = ? AND sender_id = ? AND message_id <= ? AND status < 3";
    /** A broadcast's own row (the sender's view) is read once one recipient has read it. */
    private static final String BROADCAST_READ = "UPDATE chat_message SET status = 3, read_at = ?,"
            + " delivered_at = COALESCE(delivered_at, ?) WHERE recipient_id = target_id AND sender_id = ? AND status < 3"
            + " AND message_id IN (SELECT r.message_id FROM chat_message r WHERE r.recipient_id = ?"
            + " AND r.sender_id = ? AND r.message_id <= ? AND r.target_id LIKE 'role:%')";

    @Inject
    StoreDataSource dataSources;

    @Inject
    HistorySettings settings;

    @Inject
    Event<StoreOpened> opened;

    /** Opening (and retrying it) and the hourly retention purge. */
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(
            Workers.daemonThreads("chat-history-maintenance"));
    private ScheduledFuture<?> retrying;
    private volatile DataSource dataSource;
    private volatile EntityManagerFactory entities;
    private volatile String lastFailure = "not opened yet";

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        if (!tryOpen()) {
            retrying = maintenance.scheduleWithFixedDelay(() -> {
                if (tryOpen()) {
                    retrying.cancel(false);
                }
            }, settings.retryInterval().toMillis(), settings.retryInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Opens the store unless it is open, then tells the observers of {@link StoreOpened} outside the
     * lock (docs/design.md: no callback under a lock). Whether it is open now.
     */
    private boolean tryOpen() {
        Opening opening = open();
        if (opening == Opening.OPENED_NOW && opened != null) {
            try {
                opened.fire(new StoreOpened(dataSources.describe()));
            } catch (RuntimeException e) {
                // the store is open all the same; the writer finds it so at its next tick
                LOG.log(Level.WARNING, e, () -> "Conversation store ready, but telling its observers failed");
            }
        }
        return opening != Opening.FAILED;
    }

    private enum Opening {
        ALREADY_OPEN, OPENED_NOW, FAILED
    }

    private synchronized Opening open() {
        if (entities != null) {
            return Opening.ALREADY_OPEN;
        }
        try {
            DataSource source = dataSources.open();
            int applied = Flyway.configure(ConversationStore.class.getClassLoader())
                    .dataSource(source)
                    .locations("classpath:db/estate-chat")
                    .table("estate_chat_schema_history")
                    .baselineOnMigrate(false)
                    .load()
                    .migrate()
                    .migrationsExecuted;
            entities = entityManagerFactory(source);
            dataSource = source;
            lastFailure = null;
            LOG.info(() -> "Conversation store ready: " + dataSources.describe() + " (" + applied
                    + " schema migrations applied now)");
            scheduleRetention();
            return Opening.OPENED_NOW;
        } catch (StoreUnavailable e) {
            fail(e.getMessage(), null);
        } catch (RuntimeException e) {
            fail(dataSources.describe() + " cannot be used: " + e.getMessage(), e);
        }
        return Opening.FAILED;
    }

    private void fail(String why, Throwable cause) {
        boolean first = !why.equals(lastFailure);
        lastFailure = why;
        if (first) {
            LOG.log(Level.SEVERE, "Conversation store unavailable: " + why + "; trying again every "
                    + settings.retryInterval().toMillis() + " ms, messages are kept in the history queue meanwhile",
                    cause);
        }
    }

    private static EntityManagerFactory entityManagerFactory(DataSource source) {
        List<PersistenceProvider> providers = PersistenceProviderResolverHolder.getPersistenceProviderResolver()
                .getPersistenceProviders();
        if (providers.isEmpty()) {
            throw new IllegalStateException("this server has no Jakarta Persistence provider");
        }
        return providers.get(0).createContainerEntityManagerFactory(new StorePersistenceUnit(source), Map.of(
                // EclipseLink (Payara): no weaving, no DDL, quiet; Hibernate (WildFly): the same
                "eclipselink.weaving", "false",
                "eclipselink.logging.level", "WARNING",
                "eclipselink.ddl-generation", "none",
                "hibernate.hbm2ddl.auto", "none"));
    }

    private void scheduleRetention() {
        Duration retention = settings.retention();
        if (retention.isZero()) {
            return;
        }
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                int deleted = deleteSentBefore(Instant.now().minus(retention));
                if (deleted > 0) {
                    LOG.info(() -> "Conversation store: deleted " + deleted + " messages older than chat.history.retention ("
                            + retention + ")");
                }
            } catch (StoreUnavailable | RuntimeException e) {
                LOG.log(Level.WARNING, e, () -> "Conversation store: the retention purge failed; it runs again in an hour");
            }
        }, 1, Duration.ofHours(1).toMinutes(), TimeUnit.MINUTES);
    }

    /** Deletes every message sent before {@code cutoff} (retention); returns how many rows went. */
    int deleteSentBefore(Instant cutoff) throws StoreUnavailable {
        return update("DELETE FROM chat_message WHERE sent_at < ?", Timestamp.from(cutoff));
    }

    /**
     * Deletes every message the user sent or received (an admin removed the user). Events still
     * on their way through the history queue may add a few back (docs/operations.md: Known limits).
     */
    public int erase(String userId) throws StoreUnavailable {
        return update("DELETE FROM chat_message WHERE sender_id = ? OR recipient_id = ?", userId, userId);
    }

    private int update(String sql, Object... parameters) throws StoreUnavailable {
        DataSource source = dataSource;
        if (source == null) {
            throw new StoreUnavailable("the conversation store is not open: " + lastFailure, null);
        }
        try (Connection connection = source.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailable(sql.substring(0, sql.indexOf(' ')) + " on " + dataSources.describe() + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** Whether the store is open; else {@link #lastFailure()} says why not. */
    public boolean isReady() {
        return entities != null;
    }

    public String lastFailure() {
        return lastFailure;
    }

    public String describe() {
        return dataSources.describe();
    }

    /**
     * Applies a batch of events in one transaction: all of them, or none when it throws.
     *
     * @throws StoreUnavailable when the store is not open or the database failed; the batch may be
     *         applied again later, which changes nothing that was applied
     */
    public void apply(List<HistoryEvent> events) throws StoreUnavailable {
        DataSource source = dataSource;
        if (source == null) {
            throw new StoreUnavailable("the conversation store is not open: " + lastFailure, null);
        }
        try (Connection connection = source.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT);
                    PreparedStatement delivered = connection.prepareStatement(DELIVERED);
                    PreparedStatement read = connection.prepareStatement(READ);
                    PreparedStatement broadcastRead = connection.prepareStatement(BROADCAST_READ)) {
                for (HistoryEvent event : events) {
                    switch (event.event()) {
                        case HistoryEvent.MESSAGE -> insert(insert, event, event.targetId(), MessageStatus.QUEUED, null);
                        case HistoryEvent.DELIVERED -> {
                            Timestamp at = timestamp(event.at());
                            insert(insert, event, event.recipientId(), MessageStatus.DELIVERED, at);
                            delivered(delivered, at, event.messageId(), event.recipientId());
                            if (Broadcast.isBroadcast(event.targetId())) {
                                insert(insert, event, event.targetId(), MessageStatus.DELIVERED, at);
                                delivered(delivered, at, event.messageId(), event.targetId());
                            }
                        }
                        case HistoryEvent.READ -> {
                            Timestamp at = timestamp(event.at());
                            read.setTimestamp(1, at);
                            read.setTimestamp(2, at);
                            read.setString(3, event.recipientId());
                            read.setString(4, event.senderId());
                            read.setString(5, event.messageId());
                            read.addBatch();
                            broadcastRead.setTimestamp(1, at);
                            broadcastRead.setTimestamp(2, at);
                            broadcastRead.setString(3, event.senderId());
                            broadcastRead.setString(4, event.recipientId());
                            broadcastRead.setString(5, event.senderId());
                            broadcastRead.setString(6, event.messageId());
                            broadcastRead.addBatch();
                        }
                        default -> LOG.warning(() -> "History event of unknown kind '" + event.event() + "' for "
                                + event.messageId() + " skipped");
                    }
                }
                // in this order: a message's row exists before its status moves, within the batch too
                insert.executeBatch();
                delivered.executeBatch();
                read.executeBatch();
                broadcastRead.executeBatch();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            throw new StoreUnavailable("writing " + events.size() + " events to " + dataSources.describe()
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static void insert(PreparedStatement insert, HistoryEvent event, String recipientId, MessageStatus status,
            Timestamp deliveredAt) throws SQLException {
        insert.setString(1, event.messageId());
        insert.setString(2, recipientId);
        insert.setString(3, event.senderId());
        insert.setString(4, event.senderRole());
        insert.setString(5, event.targetId());
        insert.setString(6, event.message());
        insert.setString(7, event.clientMsgId());
        insert.setTimestamp(8, timestamp(event.sentAt()));
        insert.setInt(9, status.rank());
        insert.setTimestamp(10, deliveredAt);
        insert.addBatch();
    }

    private static void delivered(PreparedStatement delivered, Timestamp at, String messageId, String recipientId)
            throws SQLException {
        delivered.setTimestamp(1, at);
        delivered.setString(2, messageId);
        delivered.setString(3, recipientId);
        delivered.addBatch();
    }

    private static Timestamp timestamp(String instant) {
        try {
            return Timestamp.from(instant == null ? Instant.now() : Instant.parse(instant));
        } catch (DateTimeParseException e) {
            return Timestamp.from(Instant.now());
        }
    }

    /**
     * Runs a query in an entity manager of its own.
     *
     * @throws StoreUnavailable when the store is not open or the query failed
     */
    public <T> T read(Function<EntityManager, T> query) throws StoreUnavailable {
        EntityManagerFactory factory = entities;
        if (factory == null) {
            throw new StoreUnavailable("the conversation store is not open: " + lastFailure, null);
        }
        EntityManager em = factory.createEntityManager();
        try {
            return query.apply(em);
        } catch (PersistenceException e) {
            // the database failed (a bug in a query is not that: it goes on as it is, a 500)
            throw new StoreUnavailable("reading " + dataSources.describe() + " failed: " + e.getMessage(), e);
        } finally {
            em.close();
        }
    }

    @PreDestroy
    void close() {
        maintenance.shutdownNow();
        EntityManagerFactory factory = entities;
        entities = null;
        dataSource = null;
        if (factory != null) {
            try {
                factory.close();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "Closing the conversation store failed", e);
            }
        }
    }
}
