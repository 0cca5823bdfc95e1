package com.estatechat.chat.control;

import com.estatechat.amqp.control.BrokerConnected;
import com.estatechat.amqp.control.Inboxes;
import com.estatechat.concurrent.Workers;
import com.estatechat.settings.ChatSettings;
import com.estatechat.settings.LiveSettings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * All open chat connections on this node, by user. Registering a user's first connection starts
 * the consumer on that user's inbox; unregistering the last one cancels it. The map's entry lock
 * guards only who is a member; under it nothing is called but the hand-over of work to the user's
 * lane (see {@link UserSessions}).
 */
@ApplicationScoped
public class SessionRegistry {

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class.getName());

    @Inject
    Inboxes inboxes;

    @Inject
    FrameCodec codec;

    @Inject
    ChatMetrics metrics;

    @Inject
    Workers workers;

    @Inject
    LiveSettings settings;

    @Inject
    ChatSettings chatSettings;

    private final ConcurrentMap<String, UserSessions> users = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    @PostConstruct
    void registerGauge() {
        metrics.sessionsOpen(this::openSessions);
    }

    /** Created with the application, so that its metrics exist before the first connection. */
    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        LOG.fine("Session registry ready");
    }

    public void register(ChatConnection connection) {
        if (stopping) {
            connection.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
            return;
        }
        users.compute(connection.userId(), (id, existing) -> {
            UserSessions user = existing != null ? existing
                    : new UserSessions(id, workers.newLane("user " + id), inboxes, codec, metrics,
                            new FrameRateLimit(() -> FrameRateLimit.Rate.of(settings.current())));
            user.join(connection);
            return user;
        });
    }

    /** Safe to call more than once for a connection (a heartbeat close, then {@code @OnClose}). */
    public void unregister(ChatConnection connection) {
        users.computeIfPresent(connection.userId(), (id, user) -> user.leave(connection) ? null : user);
    }

    /** How many connections the user has on this node. */
    public int sessionsOf(String userId) {
        UserSessions user = users.get(userId);
        return user == null ? 0 : user.connections().size();
    }

    /** Whether the user may open one more connection here ({@code chat.session.max-per-user}). */
    public boolean hasRoomFor(String userId) {
        return sessionsOf(userId) < settings.current().maxSessionsPerUser();
    }

    public List<ChatConnection> connections() {
        return users.values().stream().flatMap(user -> user.connections().stream()).toList();
    }

    public int openSessions() {
        return users.values().stream().mapToInt(user -> user.connections().size()).sum();
    }

    /**
     * Starts the inbox consumers that are missing (broker was down, or a consumer was lost), once
     * both broker connections are open: a consumer without the publishing connection would deliver
     * messages whose acks cannot publish their receipts.
     */
    public void resubscribe() {
        if (inboxes.brokerConnected()) {
            users.values().forEach(UserSessions::ensureSubscribed);
        }
    }

    /**
     * The heartbeat's round, on each user's lane: connections that held a delivery past
     * {@code ackTimeout} are closed, and missing consumers start (see {@link #resubscribe()}).
     */
    public void heartbeat(Duration ackTimeout) {
        boolean resubscribe = inboxes.brokerConnected();
        users.values().forEach(user -> user.heartbeat(ackTimeout, resubscribe));
    }

    void onBrokerConnected(@Observes BrokerConnected connected) {
        resubscribe();
    }

    /**
     * The first step of an ordered shutdown, before the application's beans go and before the
     * publisher drains (it observes the same event later): take no new session, close every
     * session with 1001, and wait until each user's consumer is over. Acks in progress finish
     * first (their receipts are confirmed meanwhile, the publisher still runs) and are written
     * before the connections close, so an acked message does not come again after a restart; what
     * was not acked goes back to the inbox. Waits at most twice the confirm timeout.
     */
    void shutdown(@Observes @Priority(Interceptor.Priority.APPLICATION) @BeforeDestroyed(ApplicationScoped.class)
            Object applicationStopping) {
        stopping = true;
        List<UserSessions> leaving = List.copyOf(users.values());
        LOG.info(() -> "Shutting down: closing " + openSessions() + " chat sessions");
        for (ChatConnection connection : connections()) {
            unregister(connection);
            connection.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
        }
        Duration wait = chatSettings.confirmTimeout().multipliedBy(2);
        try {
            CompletableFuture.allOf(leaving.stream().map(user -> user.over().toCompletableFuture())
                    .toArray(CompletableFuture[]::new)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            long left = leaving.stream().filter(user -> !user.over().toCompletableFuture().isDone()).count();
            LOG.warning(() -> "Shutting down: " + left + " inbox consumers had not ended after " + wait.toMillis()
                    + " ms; the broker requeues what they hold when the connection closes");
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "Shutting down: waiting for the inbox consumers failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
