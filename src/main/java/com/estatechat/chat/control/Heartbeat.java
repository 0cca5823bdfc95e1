package com.estatechat.chat.control;

import com.estatechat.concurrent.Workers;
import com.estatechat.settings.ChatSettings;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pings every connection each {@code chat.heartbeat.interval} and closes one that has sent no pong
 * and no frame for {@code chat.heartbeat.timeout}; closing it returns its unacked deliveries to the
 * inbox. The same tick restarts inbox consumers that could not start (the broker was down).
 */
@ApplicationScoped
public class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    @Inject
    SessionRegistry registry;

    @Inject
    ChatSettings settings;

    ScheduledThreadPoolExecutor ticker;

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        long interval = settings.heartbeatInterval().toMillis();
        ticker = newTicker();
        ticker.scheduleWithFixedDelay(this::beat, interval, interval, TimeUnit.MILLISECONDS);
    }

    void beat() {
        try {
            Duration timeout = settings.heartbeatTimeout();
            for (ChatConnection connection : registry.connections()) {
                if (connection.silentFor().compareTo(timeout) > 0) {
                    LOG.info(() -> "Closing the silent connection of " + connection.userId() + " (session "
                            + connection.id() + "): no pong for " + connection.silentFor().toMillis() + " ms");
                    registry.unregister(connection);
                    connection.close(CloseReason.CloseCodes.GOING_AWAY, "heartbeat timeout");
                } else {
                    connection.ping();
                }
            }
            registry.resubscribe();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Heartbeat tick failed", e);
        }
    }

    /** One thread; a cancelled timer (a connection closed before its token expired) leaves the queue at once. */
    static ScheduledThreadPoolExecutor newTicker() {
        ScheduledThreadPoolExecutor ticker = new ScheduledThreadPoolExecutor(1, Workers.daemonThreads("chat-heartbeat"));
        ticker.setRemoveOnCancelPolicy(true);
        return ticker;
    }

    /**
     * Closes the connection with 1008 when its credentials expire (a token's {@code exp}). Called
     * again after a renewal, it moves the close to the new expiry.
     */
    public void closeAtExpiry(ChatConnection connection) {
        Instant expiresAt = connection.identity().expiresAt();
        if (expiresAt == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(Instant.now(), expiresAt).toMillis());
        connection.onClose(ticker.schedule(() -> expire(connection, expiresAt), delay, TimeUnit.MILLISECONDS));
    }

    void expire(ChatConnection connection, Instant expiresAt) {
        if (!expiresAt.equals(connection.identity().expiresAt())) {
            return; // renewed while this timer was already running: the new expiry has its own
        }
        LOG.info(() -> "Closing the connection of " + connection.userId() + " (session " + connection.id()
                + "): its token expired");
        registry.unregister(connection);
        connection.close(CloseReason.CloseCodes.VIOLATED_POLICY, "token expired");
    }

    @PreDestroy
    void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}
