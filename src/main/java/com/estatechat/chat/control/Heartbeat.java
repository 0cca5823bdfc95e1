package com.estatechat.chat.control;

import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.identity.Identity;
import com.estatechat.concurrent.Workers;
import com.estatechat.settings.ChatSettings;
import com.estatechat.settings.LiveSettings;
import com.estatechat.settings.SettingsChanged;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pings every connection each {@code chat.heartbeat.interval} and closes one that has sent no pong
 * and no frame for {@code chat.heartbeat.timeout}; closing it returns its unacked deliveries to the
 * inbox. The same tick has each user's lane close the connections that held a delivery unacked past
 * {@code chat.delivery.ack-timeout}, and restart inbox consumers that could not start (the broker
 * was down). The heartbeat keys are live: each round schedules the next with the interval in
 * force, and a shorter interval moves a round that is further away forward. Only the
 * {@code chat-heartbeat} thread schedules rounds.
 */
@ApplicationScoped
public class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());

    @Inject
    SessionRegistry registry;

    @Inject
    LiveSettings settings;

    @Inject
    IdentityResolver identities;

    @Inject
    ChatSettings chatSettings;

    ScheduledThreadPoolExecutor ticker;
    Duration maxSession;
    Duration ackTimeout;

    /** The next round; read and written on the ticker's thread only. */
    private ScheduledFuture<?> nextRound;

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        maxSession = identities.maxSession();
        ackTimeout = chatSettings.ackTimeout();
        ticker = newTicker();
        ticker.execute(this::scheduleNextRound);
    }

    private void round() {
        beat();
        scheduleNextRound();
    }

    private void scheduleNextRound() {
        nextRound = ticker.schedule(this::round, settings.current().heartbeatInterval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** A shorter interval: the round that is further away than that comes sooner, on the ticker's thread. */
    void onSettingsChanged(@Observes SettingsChanged changed) {
        if (ticker == null || changed.after().heartbeatInterval().equals(changed.before().heartbeatInterval())) {
            return;
        }
        try {
            ticker.execute(() -> {
                long interval = settings.current().heartbeatInterval().toMillis();
                if (nextRound != null && nextRound.getDelay(TimeUnit.MILLISECONDS) > interval && nextRound.cancel(false)) {
                    scheduleNextRound();
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.fine("Heartbeat stopped; the new interval is not needed");
        }
    }

    void beat() {
        try {
            Duration timeout = settings.current().heartbeatTimeout();
            for (ChatConnection connection : registry.connections()) {
                if (connection.silentFor().compareTo(connection.silenceLimit(timeout)) > 0) {
                    LOG.info(() -> "Closing the silent connection of " + connection.userId() + " (session "
                            + connection.id() + "): no pong for " + connection.silentFor().toMillis() + " ms");
                    registry.unregister(connection);
                    connection.close(CloseReason.CloseCodes.GOING_AWAY, "heartbeat timeout");
                } else {
                    connection.ping();
                }
            }
            // the deliveries each connection holds are its user's lane's to read: the lane checks them
            registry.heartbeat(ackTimeout);
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
     * Closes the connection with 1008 when its authentication ends: at its token's {@code exp}, and
     * at the latest {@code chat.auth.max-session} from now (a token with a far {@code exp}, or no
     * token at all, does not give a session that never authenticates again). Called again after
     * an in-band renewal, it moves the close to the renewed token's end.
     */
    public void closeAtExpiry(ChatConnection connection) {
        Identity authenticated = connection.identity();
        Instant tokenExpiry = authenticated.expiresAt();
        Instant sessionEnd = Instant.now().plus(maxSession);
        boolean tokenFirst = tokenExpiry != null && !tokenExpiry.isAfter(sessionEnd);
        Instant end = tokenFirst ? tokenExpiry : sessionEnd;
        long delay = Math.max(0, Duration.between(Instant.now(), end).toMillis());
        connection.onClose(ticker.schedule(() -> expire(connection, authenticated, tokenFirst), delay,
                TimeUnit.MILLISECONDS));
    }

    /**
     * Runs {@code deadline} on the heartbeat's thread after {@code delay}, unless the returned future is
     * cancelled first: the end of a socket that has not signed in yet (MQTT's CONNECT). The task may
     * close a session; it must not wait.
     */
    public ScheduledFuture<?> deadline(Duration delay, Runnable deadline) {
        return ticker.schedule(deadline, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The end of {@code authenticated}: nothing when the connection renewed since (its new end has a timer). */
    void expire(ChatConnection connection, Identity authenticated, boolean tokenExpired) {
        if (connection.identity() != authenticated) {
            return; // renewed while this timer was already running
        }
        LOG.info(() -> "Closing the connection of " + connection.userId() + " (session " + connection.id()
                + "): " + (tokenExpired ? "its token expired" : "it reached chat.auth.max-session"));
        registry.unregister(connection);
        connection.close(CloseReason.CloseCodes.VIOLATED_POLICY, tokenExpired ? "token expired" : "session expired");
    }

    @PreDestroy
    void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }
}
