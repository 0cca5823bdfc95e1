package com.estatechat.history.control;

import com.estatechat.identity.Broadcast;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * idempotent) besides the retention purge and erasures ({@link #erase}); the REST API and read
 * receipts read it through Jakarta Persistence.
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

    /** How many user ids one look-up of erased users asks about. */
    private static final int ERASED_LOOKUP = 1_000;
    /** How long a write answered at once waits for the embedded H2 to write it (it does within 0.5 s). */
    static final Duration WRITTEN_WAIT = Duration.ofSeconds(2);

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
    /** Package-private for tests that hold a transaction of their own against the store's. */
    volatile DataSource dataSource;
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
     * Deletes every message the user sent or received (an admin removed the user), and records the
     * erasure: events of messages sent before it that come later (from inboxes and the history
     * queue) are not written back ({@link #apply}). Returns how many rows went.
     */
    public int erase(String userId) throws StoreUnavailable {
        DataSource source = dataSource;
        if (source == null) {
            throw new StoreUnavailable("the conversation store is not open: " + lastFailure, null);
        }
        Timestamp now = Timestamp.from(Instant.now());
        try (Connection connection = source.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement mark = connection.prepareStatement(
                            "UPDATE chat_erased_user SET erased_at = ? WHERE user_id = ?");
                    PreparedStatement first = connection.prepareStatement(
                            "INSERT INTO chat_erased_user (user_id, erased_at) VALUES (?, ?)");
                    PreparedStatement delete = connection.prepareStatement(
                            "DELETE FROM chat_message WHERE sender_id = ? OR recipient_id = ?")) {
                guard(connection);
                mark.setTimestamp(1, now);
                mark.setString(2, userId);
                if (mark.executeUpdate() == 0) {
                    first.setString(1, userId);
                    first.setTimestamp(2, now);
                    first.executeUpdate();
                }
                delete.setString(1, userId);
                delete.setString(2, userId);
                int deleted = delete.executeUpdate();
                connection.commit();
                if (!dataSources.written(connection).await(WRITTEN_WAIT)) {
                    throw new StoreUnavailable("erasing " + userId + ": " + dataSources.describe() + " did not write it"
                            + " within " + WRITTEN_WAIT.toMillis() + " ms; erase again", null);
                }
                return deleted;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            throw new StoreUnavailable("erasing " + userId + " on " + dataSources.describe() + " failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Takes the write guard for the transaction: the writers' batches and the erasures of every
     * node take turns, so an erasure deletes every row committed before it and every later batch
     * sees its record. Under read committed nothing less does: a batch that checked before the
     * erasure committed and wrote after its delete ran would keep its rows.
     */
    private static void guard(Connection connection) throws SQLException {
        try (PreparedStatement guard = connection.prepareStatement(
                "SELECT id FROM chat_write_guard WHERE id = 1 FOR UPDATE")) {
            guard.executeQuery().close();
        }
    }

    /**
     * The events of {@code events} that may be written: not those about a message sent (a read
     * made) before its sender, recipient or target was erased.
     */
    private static List<HistoryEvent> notErased(Connection connection, List<HistoryEvent> events) throws SQLException {
        Set<String> users = new HashSet<>();
        for (HistoryEvent event : events) {
            users.addAll(involved(event));
        }
        if (users.isEmpty()) {
            return events;
        }
        Map<String, Instant> erased = new HashMap<>();
        List<String> all = new ArrayList<>(users);
        // in parts: a statement takes at most 32,767 parameters on PostgreSQL
        for (int from = 0; from < all.size(); from += ERASED_LOOKUP) {
            List<String> part = all.subList(from, Math.min(all.size(), from + ERASED_LOOKUP));
            String sql = "SELECT user_id, erased_at FROM chat_erased_user WHERE user_id IN ("
                    + String.join(", ", Collections.nCopies(part.size(), "?")) + ")";
            try (PreparedStatement select = connection.prepareStatement(sql)) {
                for (int i = 0; i < part.size(); i++) {
                    select.setString(i + 1, part.get(i));
                }
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        erased.put(rows.getString(1), rows.getTimestamp(2).toInstant());
                    }
                }
            }
        }
        if (erased.isEmpty()) {
            return events;
        }
        List<HistoryEvent> kept = new ArrayList<>(events.size());
        for (HistoryEvent event : events) {
            Instant sent = timestamp(event.sentAt() != null ? event.sentAt() : event.at()).toInstant();
            if (involved(event).stream().noneMatch(user -> erased.containsKey(user) && !sent.isAfter(erased.get(user)))) {
                kept.add(event);
            }
        }
        if (kept.size() < events.size()) {
            LOG.fine(() -> "Conversation store: " + (events.size() - kept.size()) + " events of erased users left out");
        }
        return kept;
    }

    /** The users an event writes about: its sender, its recipient, and a direct message's target. */
    private static List<String> involved(HistoryEvent event) {
        List<String> users = new ArrayList<>(3);
        for (String user : new String[] {event.senderId(), event.recipientId(), event.targetId()}) {
            if (user != null && !Broadcast.isBroadcast(user)) {
                users.add(user);
            }
        }
        return users;
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

    /** Work on a connection of the store's, in auto-commit, for a feature that keeps a table of its own there. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * Runs {@code work} on a connection of the store's (the push marks and switches).
     *
     * @throws StoreUnavailable when the store is not open or the database failed
     */
    public <T> T withConnection(SqlWork<T> work) throws StoreUnavailable {
        return withConnection(work, false);
    }

    /**
     * Runs {@code work}, which changes the store, as {@link #withConnection} does, and returns once
     * the change is in the database's files ({@link WrittenMark}), or {@link #WRITTEN_WAIT} passed
     * (logged): for a change the caller answers for at once, such as the push switch.
     */
    public <T> T writeWithConnection(SqlWork<T> work) throws StoreUnavailable {
        return withConnection(work, true);
    }

    private <T> T withConnection(SqlWork<T> work, boolean waitWritten) throws StoreUnavailable {
        DataSource source = dataSource;
        if (source == null) {
            throw new StoreUnavailable("the conversation store is not open: " + lastFailure, null);
        }
        try (Connection connection = source.getConnection()) {
            T result = work.run(connection);
            if (waitWritten && !dataSources.written(connection).await(WRITTEN_WAIT)) {
                LOG.warning(() -> dataSources.describe() + " did not write a change within " + WRITTEN_WAIT.toMillis()
                        + " ms; going on: a crash now would lose it");
            }
            return result;
        } catch (SQLException e) {
            throw new StoreUnavailable("a statement on " + dataSources.describe() + " failed: " + e.getMessage(), e);
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
     * @return whether the batch is in the database's files yet (ack it only then)
     * @throws StoreUnavailable when the store is not open or the database failed; the batch may be
     *         applied again later, which changes nothing that was applied
     */
    public WrittenMark apply(List<HistoryEvent> events) throws StoreUnavailable {
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
                guard(connection);
                List<DeliveredRow> deliveredRows = new ArrayList<>();
                for (HistoryEvent event : notErased(connection, events)) {
                    switch (event.event()) {
                        case HistoryEvent.MESSAGE -> insert(insert, event, event.targetId(), MessageStatus.QUEUED, null);
                        case HistoryEvent.DELIVERED -> {
                            Timestamp at = timestamp(event.at());
                            deliveredRows.add(delivered(delivered, event, event.recipientId(), at));
                            if (Broadcast.isBroadcast(event.targetId())) {
                                deliveredRows.add(delivered(delivered, event, event.targetId(), at));
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
                int[] moved = delivered.executeBatch();
                // a delivered row that did not move (or a driver that does not say) is missing, its
                // message event not written yet, or delivered already: inserted as delivered, which adds
                // nothing in the second case. Not inserted first: on H2 each conflict of ON CONFLICT DO
                // NOTHING (every delivered event then) is an exception inside the database
                for (int i = 0; i < deliveredRows.size(); i++) {
                    if (i >= moved.length || moved[i] < 1) {
                        DeliveredRow row = deliveredRows.get(i);
                        insert(insert, row.event(), row.recipientId(), MessageStatus.DELIVERED, row.at());
                    }
                }
                insert.executeBatch();
                read.executeBatch();
                broadcastRead.executeBatch();
                connection.commit();
                return dataSources.written(connection);
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

    /** A {@code delivered} event's row for one recipient (a broadcast's role key is one too). */
    private record DeliveredRow(HistoryEvent event, String recipientId, Timestamp at) {
    }

    private static DeliveredRow delivered(PreparedStatement delivered, HistoryEvent event, String recipientId,
            Timestamp at) throws SQLException {
        delivered.setTimestamp(1, at);
        delivered.setString(2, event.messageId());
        delivered.setString(3, recipientId);
        delivered.addBatch();
        return new DeliveredRow(event, recipientId, at);
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
