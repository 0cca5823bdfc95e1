package com.estatechat.amqp.control;

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
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one owner of the AMQP connection. It connects in the background and keeps trying, so that a
 * broker that is down does not fail the deployment; once connected, the client library's automatic
 * recovery brings back the connection, channels, consumers and topology. It also owns the small
 * thread pool on which channel owners run their work.
 */
@ApplicationScoped
public class BrokerConnection {

    private static final Logger LOG = Logger.getLogger(BrokerConnection.class.getName());

    @Inject
    ChatSettings settings;

    @Inject
    Event<BrokerConnected> connectedEvents;

    private volatile Connection connection;
    private volatile BrokerFeatures features = BrokerFeatures.UNKNOWN;
    private volatile boolean closing;
    private volatile String lastFailure = "not connected yet";
    private ScheduledExecutorService connector;
    private ExecutorService workers;

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        connector = Executors.newSingleThreadScheduledExecutor(daemonThreads("chat-amqp-connect"));
        workers = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                daemonThreads("chat-amqp-worker"));
        connector.execute(this::connect);
    }

    private void connect() {
        if (closing) {
            return;
        }
        if (settings.embeddedBroker()) {
            // only the development launcher starts a broker, and it then passes a real URL
            LOG.severe("chat.amqp.url is 'embedded', but this WAR never starts a broker: the embedded one"
                    + " runs only under the development launcher (mvn -Prun package). Set chat.amqp.url to the"
                    + " amqp:// URL of your RabbitMQ. The server stays not ready until then.");
            lastFailure = "chat.amqp.url is 'embedded' and no embedded broker runs here: set chat.amqp.url";
            return;
        }
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(settings.amqpUrl());
        } catch (Exception e) {
            // the URL may hold a password: never log it or the exception text that repeats it
            LOG.severe("chat.amqp.url cannot be used as an AMQP URL; not connecting");
            lastFailure = "chat.amqp.url is invalid";
            return;
        }
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(settings.reconnectInterval().toMillis());
        factory.setConnectionTimeout((int) Math.min(Integer.MAX_VALUE, settings.confirmTimeout().toMillis()));
        factory.setRequestedHeartbeat(30);
        // bounds every declare/bind/consume round trip: a stuck broker must not hold a user's greeting
        factory.setChannelRpcTimeout((int) Math.min(Integer.MAX_VALUE, settings.confirmTimeout().toMillis()));
        try {
            Connection opened = factory.newConnection("estate-chat");
            ((Recoverable) opened).addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recoverable) {
                    // recovery may have reached another broker node, or another broker
                    features = BrokerFeatures.of(opened.getServerProperties());
                    LOG.info("AMQP connection recovered");
                    connectedEvents.fire(new BrokerConnected(true));
                }

                @Override
                public void handleRecoveryStarted(Recoverable recoverable) {
                    LOG.warning("AMQP connection lost; recovering");
                }
            });
            opened.addShutdownListener(cause -> {
                if (!cause.isInitiatedByApplication()) {
                    lastFailure = "connection lost: " + cause.getReason();
                }
            });
            features = BrokerFeatures.of(opened.getServerProperties());
            connection = opened;
            LOG.info(() -> "Connected to the AMQP broker " + features + " at " + factory.getHost() + ":"
                    + factory.getPort());
            connectedEvents.fire(new BrokerConnected(false));
        } catch (Exception e) {
            lastFailure = e.getClass().getSimpleName() + " connecting to " + factory.getHost() + ":" + factory.getPort();
            LOG.warning(() -> "Cannot reach the AMQP broker at " + factory.getHost() + ":" + factory.getPort() + " ("
                    + e.getClass().getSimpleName() + "); retrying in " + settings.reconnectInterval().toMillis()
                    + " ms");
            if (!closing) {
                connector.schedule(this::connect, settings.reconnectInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Whether the connection is up now; readiness reports this. */
    public boolean isOpen() {
        Connection current = connection;
        return current != null && current.isOpen();
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
     * A new channel for a single owner; the caller closes it.
     *
     * @throws BrokerUnavailable when there is no open connection
     */
    public Channel openChannel() throws IOException {
        Connection current = connection;
        if (current == null || !current.isOpen()) {
            throw new BrokerUnavailable("the message broker is not connected");
        }
        Channel channel = current.createChannel();
        if (channel == null) {
            throw new BrokerUnavailable("the broker has no channel left for this connection");
        }
        return channel;
    }

    /** An executor that runs its tasks one at a time on the shared workers: give one to each channel owner. */
    public Executor newSerialExecutor() {
        return new SerialExecutor(workers);
    }

    /** The shared workers, for short tasks that must not run on a container or broker thread. */
    public Executor workers() {
        return workers;
    }

    @PreDestroy
    void close() {
        closing = true;
        if (connector != null) {
            connector.shutdownNow();
        }
        Connection current = connection;
        if (current != null) {
            try {
                // closing the connection returns every unacked delivery to its queue
                current.close(5_000);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "Closing the AMQP connection failed", e);
                current.abort();
            }
        }
        if (workers != null) {
            workers.shutdown();
        }
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
