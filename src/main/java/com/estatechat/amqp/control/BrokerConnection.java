package com.estatechat.amqp.control;

import com.estatechat.concurrent.SerialExecutor;
import com.estatechat.concurrent.Workers;
import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one owner of the AMQP connections: one that carries the inbox consumers (and further ones
 * when it has no channel left), and one that only publishes, so that a broker that throttles
 * publishers never holds up deliveries and acks. It tries once while the application starts, then
 * keeps trying in the background, so that a broker that is down does not fail the deployment.
 * Once connected, the client library recovers the connections and their channels, but no topology
 * and no consumer: after a recovery ({@link BrokerConnected}) the server declares what it needs and
 * starts its consumers itself, so that nothing comes back that the server no longer wants (a user
 * who left during the outage) and nothing it wants is missing unnoticed. Events are fired on the
 * deploying thread (the first connection) or this class's connector thread, never on the client
 * library's.
 */
@ApplicationScoped
public class BrokerConnection {

    private static final Logger LOG = Logger.getLogger(BrokerConnection.class.getName());

    @Inject
    ChatSettings settings;

    @Inject
    Event<BrokerConnected> connectedEvents;

    private volatile Connection connection;
    /** Publishes only (see the class comment); opened with the first connection. */
    private volatile Connection publishing;
    /** Further connections, opened when the first has no channel left (one channel per online user). */
    private final List<Connection> overflow = new CopyOnWriteArrayList<>();
    volatile ConnectionFactory factory;
    private volatile BrokerFeatures features = BrokerFeatures.UNKNOWN;
    private volatile boolean closing;
    private volatile String lastFailure = "not connected yet";
    /** The broker's reason while it blocks the publishing connection (a resource alarm), else null. */
    private volatile String blocked;
    private volatile Runnable onBlockedChange;
    /** False from the start of a connection's recovery until {@link BrokerConnected} said both are back. */
    private final AtomicBoolean announced = new AtomicBoolean(true);
    /**
     * Owns the reconnect timer and the connections' state: sets an attempt going, takes its result,
     * announces recoveries. Never blocks (a late timer there held every resubscription back).
     */
    private ScheduledExecutorService connector;
    /**
     * Where connections are opened, blocking while the broker shakes hands (bounded by the
     * factory's timeouts); it owns no timer and hands each result to the connector. One opener:
     * callers who find the connections full together share the further connection it opens.
     */
    private ExecutorService opener;
    /**
     * Where channel owners run: opening a consumer is a few blocking round trips to the broker, and
     * they must not hold the workers that run the users' lanes. Sized for a connect storm (a node
     * restart): 2,000 users at once took 33 s on the two workers, one round trip at a time.
     */
    private final ExecutorService channelThreads = Executors.newFixedThreadPool(CHANNEL_THREADS,
            Workers.daemonThreads("chat-amqp-channel"));
    private static final int CHANNEL_THREADS = 32;

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, Workers.daemonThreads("chat-amqp-connect"));
        // at shutdown a pending attempt is dropped; what was handed over still runs (and closes what it got)
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        connector = timer;
        opener = Executors.newSingleThreadExecutor(Workers.daemonThreads("chat-amqp-open"));
        ConnectionFactory factory = newFactory();
        if (factory == null) {
            return;
        }
        // The first attempt runs here, on the deploying thread, not on the opener. Payara's web
        // container closes the WEB-INF/lib jars at the end of StandardContext.start(), after this
        // observer, and WebappClassLoader reads them without a lock while it loads a class: a class
        // that another thread (opener, the connection's reader) loads in that moment fails with
        // "zip file closed", which killed the reader thread once. Connecting here loads what the
        // handshake needs before the jars close; a failed attempt is retried by the connector.
        Opened opened;
        try {
            opened = open(factory);
        } catch (Exception e) {
            failed(factory, e);
            return;
        }
        connected(factory, opened);
    }

    /** The two connections of one attempt, opened together. */
    private record Opened(Connection consuming, Connection publishing) {
        void abort() {
            consuming.abort();
            publishing.abort();
        }
    }

    /** A factory from the settings, or null (and why, in {@link #lastFailure()}) when they cannot connect. */
    private ConnectionFactory newFactory() {
        if (settings.embeddedBroker()) {
            // only the development launcher starts a broker, and it then passes a real URL
            LOG.severe("chat.amqp.url is 'embedded', but this WAR never starts a broker: the embedded one"
                    + " runs only under the development launcher (mvn -Prun package). Set chat.amqp.url to the"
                    + " amqp:// URL of your RabbitMQ. The server stays not ready until then.");
            lastFailure = "chat.amqp.url is 'embedded' and no embedded broker runs here: set chat.amqp.url";
            return null;
        }
        ConnectionFactory factory = settings.amqpAddresses().isEmpty() ? new ConnectionFactory()
                : new ClusterConnectionFactory(settings.amqpAddresses());
        try {
            factory.setUri(settings.amqpUrl());
        } catch (Exception e) {
            // the URL may hold a password: never log it or the exception text that repeats it
            LOG.severe("chat.amqp.url cannot be used as an AMQP URL; not connecting");
            lastFailure = "chat.amqp.url is invalid";
            return null;
        }
        factory.setAutomaticRecoveryEnabled(true);
        // the server re-declares and re-consumes after a recovery (see the class comment); the library's
        // record of every queue and binding ever declared would grow without bound and be replayed first
        factory.setTopologyRecoveryEnabled(false);
        factory.setNetworkRecoveryInterval(settings.reconnectInterval().toMillis());
        factory.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, settings.confirmTimeout().toMillis()));
        factory.setRequestedHeartbeat((int) settings.heartbeat().getSeconds());
        factory.setRequestedChannelMax(settings.channelsPerConnection());
        // bounds every declare/bind/consume round trip: a stuck broker must not hold a user's greeting
        factory.setChannelRpcTimeout((int) Math.min(Integer.MAX_VALUE, settings.confirmTimeout().toMillis()));
        // a reply that comes after its call timed out is dropped instead of answering the next call
        factory.setChannelShouldCheckRpcResponseType(true);
        return factory;
    }

    /**
     * On the deploying thread or the opener: both connections, or neither. Blocks while the broker
     * shakes hands, at most the factory's connection, handshake and RPC timeouts for each node.
     */
    private static Opened open(ConnectionFactory factory) throws IOException, TimeoutException {
        Connection consuming = factory.newConnection("estate-chat");
        try {
            return new Opened(consuming, factory.newConnection("estate-chat-publish"));
        } catch (IOException | TimeoutException | RuntimeException e) {
            consuming.abort();
            throw e;
        }
    }

    /** On the connector, when the reconnect timer fires: a new attempt handed to the opener. */
    private void attempt() {
        ConnectionFactory factory = closing ? null : newFactory();
        if (factory == null) {
            return;
        }
        try {
            opener.execute(() -> {
                Opened opened;
                try {
                    opened = open(factory);
                } catch (Exception e) {
                    handBack(() -> failed(factory, e), () -> { });
                    return;
                }
                handBack(() -> connected(factory, opened), opened::abort);
            });
        } catch (RejectedExecutionException e) {
            // shutting down: nothing more is opened
        }
    }

    /**
     * On the opener: what an opening came to goes to the connector, which owns the connection's
     * state; once the server shuts down, {@code ifClosing} runs instead (it closes what was opened).
     */
    private void handBack(Runnable result, Runnable ifClosing) {
        try {
            connector.execute(() -> {
                if (closing) {
                    ifClosing.run();
                } else {
                    result.run();
                }
            });
        } catch (RejectedExecutionException e) {
            ifClosing.run();
        }
    }

    /** On the deploying thread (the first attempt) or the connector: the connections are in use from here on. */
    private void connected(ConnectionFactory factory, Opened opened) {
        Connection consuming = opened.consuming();
        Connection publisher = opened.publishing();
        watch(consuming);
        watch(publisher);
        gate(publisher);
        features = BrokerFeatures.of(consuming.getServerProperties());
        this.factory = factory;
        publishing = publisher;
        connection = consuming;
        LOG.info(() -> "Connected to the AMQP broker " + features + " at " + consuming.getAddress().getHostAddress()
                + ":" + consuming.getPort() + " (publishing: " + publisher.getAddress().getHostAddress() + ":"
                + publisher.getPort() + ")");
        connectedEvents.fire(new BrokerConnected(false));
    }

    /** On the deploying thread (the first attempt) or the connector: says why, and sets the reconnect timer. */
    private void failed(ConnectionFactory factory, Exception e) {
        lastFailure = e.getClass().getSimpleName() + " connecting to " + brokerAt(factory);
        LOG.warning(() -> "Cannot reach the AMQP broker at " + brokerAt(factory) + " ("
                + e.getClass().getSimpleName() + "); retrying in " + settings.reconnectInterval().toMillis()
                + " ms");
        if (!closing) {
            try {
                connector.schedule(this::attempt, settings.reconnectInterval().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shuttingDown) {
                // nothing more is opened
            }
        }
    }

    /** Where the factory connects, for log lines and readiness (never the URL, which may hold a password). */
    private static String brokerAt(ConnectionFactory factory) {
        return factory instanceof ClusterConnectionFactory cluster ? "one of " + cluster.nodes()
                : factory.getHost() + ":" + factory.getPort();
    }

    /**
     * Logs losses, recoveries and flow control. Once a connection that was lost has recovered and
     * the other one is open too, the {@link BrokerConnected} event goes out, once, on the connector
     * thread: consumers that started while the publishing connection was still recovering received
     * messages whose acks could not publish their receipts (the recipient was told to ack again).
     */
    private void watch(Connection opened) {
        String name = opened.getClientProvidedName();
        ((Recoverable) opened).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                LOG.info(() -> "AMQP connection " + name + " recovered");
                try {
                    connector.execute(BrokerConnection.this::announceRecovery);
                } catch (RejectedExecutionException e) {
                    // shutting down: nothing to announce
                }
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
                announced.set(false);
                LOG.warning(() -> "AMQP connection " + name + " lost; recovering");
            }
        });
        opened.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                lastFailure = "connection lost: " + cause.getReason();
            }
        });
        opened.addBlockedListener(reason -> LOG.warning(() -> "The broker blocks publishing on " + name + ": "
                + reason + " (a resource alarm)"), () -> LOG.info(() -> "The broker unblocked " + name));
    }

    /**
     * Keeps {@link #publishingBlocked()} set from the broker's {@code connection.blocked} on the
     * publishing connection until its {@code connection.unblocked}, or until that connection is
     * lost (a new one starts unblocked; the broker blocks it again if the alarm persists). Told on
     * the client library's thread: it only writes the flag and hands the wake-up over.
     */
    private void gate(Connection publisher) {
        publisher.addBlockedListener(reason -> changeBlocked(reason == null ? "a resource alarm" : reason),
                () -> changeBlocked(null));
        publisher.addShutdownListener(cause -> changeBlocked(null));
    }

    private void changeBlocked(String reason) {
        if (!Objects.equals(blocked, reason)) {
            blocked = reason;
            Runnable listener = onBlockedChange;
            if (listener != null) {
                listener.run();
            }
        }
    }

    /**
     * Why the broker does not read what the server publishes now (a memory or disk alarm), or
     * null while it does. A publish written meanwhile would wait in the socket for as long as the
     * alarm lasts: callers refuse new sends instead.
     */
    public String publishingBlocked() {
        return blocked;
    }

    /**
     * Called when the broker blocks or unblocks the publishing connection, on the client library's
     * thread: it must only hand work over. One listener: the {@link Publisher}.
     */
    void onPublishingBlockedChange(Runnable listener) {
        onBlockedChange = listener;
    }

    /** On the connector thread: both connections are open again after a loss, said once. */
    private void announceRecovery() {
        Connection current = connection;
        if (closing || !isOpen() || !announced.compareAndSet(false, true)) {
            return; // the other one is still recovering (it announces), or this recovery was announced
        }
        // recovery may have reached another broker node, or another broker
        features = BrokerFeatures.of(current.getServerProperties());
        connectedEvents.fire(new BrokerConnected(true));
    }

    /** The consuming connection as the client library made it (recovering): tests read its record. */
    Connection consumingConnection() {
        return connection;
    }

    /** Whether both connections are up now; readiness reports this. */
    public boolean isOpen() {
        Connection current = connection;
        Connection publisher = publishing;
        return current != null && current.isOpen() && publisher != null && publisher.isOpen();
    }

    /** What the broker of the current connection understands beyond plain AMQP 0-9-1. */
    public BrokerFeatures features() {
        return features;
    }

    /** Why the connection is not open, in words fit for a health check (never a credential). */
    public String lastFailure() {
        return lastFailure;
    }

    /**
     * A new channel on the publishing connection for a single owner; the caller closes it.
     *
     * @throws BrokerUnavailable when there is no open connection
     */
    public Channel openPublishChannel() throws IOException {
        Connection current = publishing;
        if (current == null || !current.isOpen()) {
            throw new BrokerUnavailable("the message broker is not connected");
        }
        Channel channel = current.createChannel();
        if (channel == null) {
            throw new BrokerUnavailable("the publishing connection has no channel left");
        }
        return channel;
    }

    /**
     * A new channel on a consuming connection for a single owner; the caller closes it.
     *
     * @throws BrokerUnavailable when there is no open connection
     */
    public Channel openChannel() throws IOException {
        Connection current = connection;
        if (current == null || !current.isOpen()) {
            throw new BrokerUnavailable("the message broker is not connected");
        }
        Channel channel = current.createChannel();
        for (int i = 0; channel == null && i < overflow.size(); i++) {
            Connection next = overflow.get(i);
            channel = next.isOpen() ? next.createChannel() : null;
        }
        return channel != null ? channel : channelOnNewConnection();
    }

    /**
     * Every connection is at chat.amqp.channels-per-connection: a channel on a further one, which the
     * opener opens (recovering and watched like the first). One opener, so callers who find the
     * connections full together share the connection it opens, and no lock is held while the broker
     * shakes hands. The caller, a channel's owner, may block: it waits as long as an opening can take.
     */
    private Channel channelOnNewConnection() throws IOException {
        ConnectionFactory opening = factory;
        CompletableFuture<Channel> result = new CompletableFuture<>();
        try {
            opener.execute(() -> openFurther(opening, result));
        } catch (RejectedExecutionException e) {
            throw new BrokerUnavailable("the server is shutting down");
        }
        long bound = (long) opening.getConnectionTimeout() + opening.getHandshakeTimeout()
                + opening.getChannelRpcTimeout();
        try {
            return result.get(bound, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.completeExceptionally(e); // a channel opened later is closed by the opener
            throw new BrokerUnavailable("the broker did not accept another connection in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(e);
            throw new BrokerUnavailable("interrupted while the broker opened another connection", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof BrokerUnavailable unavailable) {
                throw unavailable;
            }
            throw new BrokerUnavailable(cause instanceof TimeoutException
                    ? "the broker did not accept another connection in time" : "opening another connection failed", cause);
        }
    }

    /** On the opener: a channel on a further connection, opened here unless one has room. */
    private void openFurther(ConnectionFactory opening, CompletableFuture<Channel> result) {
        if (closing) {
            result.completeExceptionally(new BrokerUnavailable("the server is shutting down"));
            return;
        }
        Channel channel = null;
        try {
            for (int i = 0; channel == null && i < overflow.size(); i++) {
                Connection existing = overflow.get(i);
                channel = existing.isOpen() ? existing.createChannel() : null; // opened for an earlier caller
            }
            if (channel == null && !closing) {
                Connection added = opening.newConnection("estate-chat-" + (overflow.size() + 2));
                watch(added);
                overflow.add(added);
                if (closing) {
                    added.abort(); // close() may have gone through the list already
                    throw new BrokerUnavailable("the server is shutting down");
                }
                LOG.info(() -> "Opened AMQP connection " + (overflow.size() + 1) + ": the others carry "
                        + settings.channelsPerConnection() + " channels each");
                channel = added.createChannel();
            }
            if (channel == null) {
                result.completeExceptionally(new BrokerUnavailable(closing ? "the server is shutting down"
                        : "the broker gives no channel on a new connection"));
            } else if (!result.complete(channel)) {
                channel.abort(); // its caller stopped waiting
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    /** A lane for one channel's owner, on threads that may block on the broker. */
    public Executor newChannelOwner(String name) {
        return new SerialExecutor(channelThreads, name);
    }

    @PreDestroy
    void close() {
        closing = true;
        if (connector != null) {
            // what the connector runs now or was handed finishes first (it never blocks), so the
            // connections read below are the last ones; the opener's later results close themselves
            connector.shutdown();
            try {
                if (!connector.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warning("The AMQP connector thread did not stop within 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // queued further openings still run, and refuse at once (every caller gets its answer)
            opener.shutdown();
        }
        for (Connection extra : overflow) {
            try {
                extra.close(5_000);
            } catch (IOException | RuntimeException e) {
                extra.abort();
            }
        }
        channelThreads.shutdown();
        for (Connection current : new Connection[] {publishing, connection}) {
            if (current != null) {
                try {
                    // closing the connection returns every unacked delivery to its queue
                    current.close(5_000);
                } catch (IOException | RuntimeException e) {
                    LOG.log(Level.WARNING, "Closing the AMQP connection failed", e);
                    current.abort();
                }
            }
        }
    }
}
