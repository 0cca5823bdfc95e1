package com.estatechat.chat.control;

import com.estatechat.chat.limits.UserBudgets;
import com.estatechat.json.JsonCodec;
import com.estatechat.amqp.control.BrokerConnected;
import com.estatechat.amqp.control.Inboxes;
import com.estatechat.chat.entity.GoingAwayFrame;
import com.estatechat.amqp.control.NodeNotice;
import com.estatechat.amqp.control.NodeNotices;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * All open chat connections on this node, by user. Registering a user's first connection starts
 * the consumer on that user's inbox; unregistering the last one cancels it. The map's entry lock
 * guards only who is a member; under it nothing is called but the hand-over of work to the user's
 * lane (see {@link OnlineUser}), and a new user's lane gets its first work only once the map shows
 * the user: what another node says about it meanwhile must find it.
 */
@ApplicationScoped
public class SessionRegistry {

    private static final Logger LOG = Logger.getLogger(SessionRegistry.class.getName());

    @Inject
    Inboxes inboxes;

    @Inject
    JsonCodec codec;

    @Inject
    ChatMetrics metrics;

    @Inject
    Workers workers;

    @Inject
    LiveSettings settings;

    @Inject
    ChatSettings chatSettings;

    @Inject
    Relay relay;

    @Inject
    UserBudgets budgets;

    @Inject
    NodeNotices nodes;

    private final ConcurrentMap<String, OnlineUser> users = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    /** Completed once the drain is over, by whoever began it: SIGTERM's handler or the undeploy. */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /**
     * Gives SIGTERM back at the undeploy. Typed Runnable, not StopSignal: a field, parameter or
     * lambda naming StopSignal makes CDI skip this bean where sun.misc is hidden (WildFly).
     */
    private Runnable giveSignalBack = () -> { };

    @PostConstruct
    void registerGauge() {
        metrics.sessionsOpen(this::openSessions);
        if (nodes != null) {
            nodes.listen(this::onNotice);
        }
    }

    /**
     * What another node said about a user with connections here, handed to that user's lane (an
     * ack to {@link Relay}, which settles it there), which runs {@code handled} once it is done. On
     * the client library's thread: only hands over.
     */
    void onNotice(NodeNotice notice, Runnable handled) {
        OnlineUser user = users.get(notice.userId());
        if (user == null) {
            handled.run(); // gone from here: this node's binding for the user goes too
        } else if (!NodeNotices.ACK.equals(notice.type())) {
            user.onNotice(notice, handled);
        } else if (notice.messageId() != null) {
            relay.acknowledgedElsewhere(user, notice.messageId(), handled);
        } else {
            handled.run();
        }
    }

    /** Created with the application, so that its metrics exist before the first connection. */
    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        try {
            giveSignalBack = StopSignal.install(this::drain).orElse(giveSignalBack);
        } catch (LinkageError e) {
            // a container that hides sun.misc from applications (StopSignal's own type is one)
            LOG.log(Level.INFO, e, () -> "SIGTERM is not handled by the application: the chat drains when the"
                    + " container undeploys it");
        }
        LOG.fine("Session registry ready");
    }

    /**
     * Registers the connection unless its user has {@code chat.session.max-per-user} connections here
     * already: the count and the join are one step under the user's map entry, so handshakes that
     * come together cannot all pass the cap ({@link #hasRoomFor} is only the early answer).
     *
     * @return false when the connection was refused and closed (1013, or 1001 while shutting down)
     */
    public boolean register(ChatConnection connection) {
        if (stopping) {
            connection.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
            return false;
        }
        int cap = settings.current().maxSessionsPerUser();
        boolean[] joined = {false};
        OnlineUser[] created = {null};
        users.compute(connection.userId(), (id, existing) -> {
            if (existing != null && existing.connections().size() >= cap) {
                return existing;
            }
            joined[0] = true;
            if (existing != null) {
                existing.join(connection);
                return existing;
            }
            created[0] = new OnlineUser(id, workers.newLane("user " + id), inboxes, codec, metrics, budgets.of(id),
                    nodes != null && nodes.enabled() ? nodes : null);
            created[0].admit(connection);
            return created[0];
        });
        if (created[0] != null) {
            // its lane starts once the map shows the user: another node's answer to the hello it sends
            // finds the user here (a notice for a user not here is dropped)
            created[0].start(connection);
        }
        if (!joined[0]) {
            LOG.fine(() -> "Refused a connection of " + connection.userId() + ": chat.session.max-per-user (" + cap
                    + ") reached");
            connection.close(CloseReason.CloseCodes.TRY_AGAIN_LATER, "too many sessions for this user");
        }
        return joined[0];
    }

    /** Safe to call more than once for a connection (a heartbeat close, then {@code @OnClose}). */
    public void unregister(ChatConnection connection) {
        users.computeIfPresent(connection.userId(), (id, user) -> user.leave(connection) ? null : user);
    }

    /** How many connections the user has on this node. */
    public int sessionsOf(String userId) {
        OnlineUser user = users.get(userId);
        return user == null ? 0 : user.connections().size();
    }

    /**
     * Whether the user may open one more connection here ({@code chat.session.max-per-user}): an
     * early answer, before the upgrade or the CONNACK; {@link #register} decides.
     */
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
            users.values().forEach(OnlineUser::ensureSubscribed);
        }
    }

    /**
     * The heartbeat's round, on each user's lane: connections that held a delivery past
     * {@code ackTimeout} are closed, and missing consumers start (see {@link #resubscribe()}).
     */
    public void heartbeat(Duration ackTimeout) {
        boolean resubscribe = inboxes.brokerConnected();
        users.values().forEach(user -> user.heartbeat(ackTimeout, resubscribe));
        forgetWholeBudgets();
    }

    /**
     * Forgets the budgets of users without sessions here that are whole again, each under the
     * user's map entry: a session that registers meanwhile either finds the budget or waits.
     */
    void forgetWholeBudgets() {
        for (String userId : budgets.forgettable()) {
            users.compute(userId, (id, user) -> {
                if (user == null) {
                    budgets.forget(id);
                }
                return user;
            });
        }
    }

    void onBrokerConnected(@Observes BrokerConnected connected) {
        resubscribe();
    }

    /**
     * The first step of an ordered shutdown, before the application's beans go and before the
     * publisher drains (it observes the same event later): take no new session and no new send
     * (refused {@code unavailable} with {@code retry_after_ms}), tell every connection
     * {@code going_away}, let every send taken be answered, and keep reading for
     * {@code chat.session.drain-window} after the notice: a send the client wrote before it read the
     * notice is refused and answered too, not dropped by a close that crossed it on the wire. Then
     * close every session with 1001 once what was queued to it is written, and wait until each
     * user's consumer is over. Acks in progress finish first (their receipts are confirmed meanwhile,
     * the publisher still runs) and are written, so an acked message does not come again after a
     * restart; what was not acked goes back to the inbox. Waits at most the confirm timeout for the
     * answers, and twice the confirm timeout for the consumers; a session still open then is closed.
     */
    void shutdown(@Observes @Priority(Interceptor.Priority.APPLICATION) @BeforeDestroyed(ApplicationScoped.class)
            Object applicationStopping) {
        giveSignalBack.run();
        drain();
    }

    /**
     * The steps of {@link #shutdown}, run once: at SIGTERM (before the container stops, see
     * {@link StopSignal}), else at the undeploy. A second caller waits for the first one's end.
     */
    void drain() {
        if (!draining.compareAndSet(false, true)) {
            try {
                drained.get(); // bounded: every step of the drain is
            } catch (ExecutionException e) {
                LOG.log(Level.WARNING, e, () -> "Shutting down: the drain failed");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        try {
            drainOnce();
        } finally {
            drained.complete(null);
        }
    }

    private void drainOnce() {
        stopping = true;
        relay.refuseSends(chatSettings.confirmTimeout());
        Duration window = chatSettings.drainWindow();
        long windowEnds = System.nanoTime() + window.toNanos();
        List<OnlineUser> leaving = List.copyOf(users.values());
        List<ChatConnection> open = connections();
        boolean notice = !window.isZero() && !open.isEmpty();
        LOG.info(() -> "Shutting down: closing " + open.size() + " chat sessions"
                + (notice ? " after a drain window of " + window.toMillis() + " ms" : ""));
        if (notice) {
            String goingAway = codec.toJson(GoingAwayFrame.of("server shutting down"));
            open.forEach(connection -> connection.send(goingAway));
        }
        // a session closed before its sends were answered left senders who cannot tell stored from lost
        await("the answers to their sends", leaving, OnlineUser::sendsAnswered, chatSettings.confirmTimeout());
        if (notice) {
            // what crossed the notice arrives meanwhile and is refused at once
            sleepUntil(windowEnds);
            await("the answers to the sends that crossed the notice", leaving, OnlineUser::sendsAnswered, window);
        }
        for (ChatConnection connection : open) {
            unregister(connection);
            connection.closeWhenWritten(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
        }
        await("the end of their inbox consumers", leaving, OnlineUser::over,
                chatSettings.confirmTimeout().multipliedBy(2));
        // a frame the container never reported written kept its session open
        List<ChatConnection> unwritten = open.stream().filter(connection -> !connection.isClosed()).toList();
        if (!unwritten.isEmpty()) {
            LOG.warning(() -> "Shutting down: " + unwritten.size()
                    + " sessions still had frames being written; closing them now");
            unwritten.forEach(connection -> connection.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down"));
        }
    }

    /** On the thread that drains (SIGTERM's, or the undeploying one), which owns no timer and no lane. */
    private static void sleepUntil(long nanoTime) {
        long left = nanoTime - System.nanoTime();
        if (left <= 0) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(String what, List<OnlineUser> leaving,
            Function<OnlineUser, CompletionStage<Void>> step, Duration wait) {
        List<CompletableFuture<Void>> steps = leaving.stream().map(user -> step.apply(user).toCompletableFuture())
                .toList();
        try {
            CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            long left = steps.stream().filter(done -> !done.isDone()).count();
            LOG.warning(() -> "Shutting down: " + left + " users still waited for " + what + " after "
                    + wait.toMillis() + " ms; going on");
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, e, () -> "Shutting down: waiting for " + what + " failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
