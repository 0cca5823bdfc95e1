package com.estatechat.chat.control;

import com.estatechat.amqp.control.BrokerConnected;
import com.estatechat.amqp.control.Inboxes;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Logger;

/**
 * All open chat connections on this node, by user. Registering a user's first connection starts
 * the consumer on that user's inbox; unregistering the last one cancels it.
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

    private final ConcurrentMap<String, UserSessions> users = new ConcurrentHashMap<>();

    @PostConstruct
    void registerGauge() {
        metrics.sessionsOpen(this::openSessions);
    }

    public void register(ChatConnection connection) {
        UserSessions user = users.compute(connection.userId(), (id, existing) -> {
            UserSessions sessions = existing != null ? existing : new UserSessions(id, codec, metrics);
            sessions.add(connection);
            return sessions;
        });
        user.ensureSubscribed(inboxes);
    }

    public void unregister(ChatConnection connection) {
        users.computeIfPresent(connection.userId(), (id, sessions) -> {
            sessions.remove(connection);
            if (sessions.isEmpty()) {
                sessions.close();
                return null;
            }
            return sessions;
        });
    }

    /** The user's unacked delivery with this id, taken out of the pending set; null if there is none. */
    PendingDelivery takePending(String userId, String messageId) {
        UserSessions sessions = users.get(userId);
        return sessions == null ? null : sessions.takePending(messageId);
    }

    void restorePending(String userId, PendingDelivery delivery) {
        UserSessions sessions = users.get(userId);
        if (sessions != null) {
            sessions.restorePending(delivery);
        }
    }

    public List<ChatConnection> connections() {
        return users.values().stream().flatMap(user -> user.connections().stream()).toList();
    }

    public int openSessions() {
        return users.values().stream().mapToInt(user -> user.connections().size()).sum();
    }

    /** Starts the inbox consumers that are missing (broker was down, or a consumer was lost). */
    public void resubscribe() {
        users.values().forEach(user -> user.ensureSubscribed(inboxes));
    }

    void onBrokerConnected(@Observes BrokerConnected connected) {
        resubscribe();
    }

    /** Before the application's beans go: close every session with 1001 and cancel every consumer. */
    void shutdown(@Observes @BeforeDestroyed(ApplicationScoped.class) Object applicationStopping) {
        LOG.info(() -> "Shutting down: closing " + openSessions() + " chat sessions");
        for (ChatConnection connection : connections()) {
            connection.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
        }
        users.values().forEach(UserSessions::close);
        users.clear();
    }
}
