package com.estatechat.amqp.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.estatechat.settings.ChatSettings;
import com.estatechat.support.RabbitMqNode;
import com.estatechat.support.TcpProxy;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.AMQConnection;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.util.TypeLiteral;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BrokerConnectionTest {

    static final String BROKER = System.getProperty("chat.test.amqp.url", "amqp://guest:guest@127.0.0.1:5672");

    BrokerConnection cut = new BrokerConnection();
    final List<Thread> connectedEventThreads = new CopyOnWriteArrayList<>();
    /** For each BrokerConnected event: whether both connections were open when it went out. */
    final List<Boolean> openWhenConnected = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        cut.close();
    }

    @Test
    void theFirstConnectionIsOpenWhenStartReturns() {
        assumeTrue(brokerListens(), "no AMQP broker on 127.0.0.1:5672");
        cut.settings = settings(BROKER);
        cut.connectedEvents = new Recorder();

        cut.start(new Object());

        // Payara closes the WEB-INF/lib jars right after the @Initialized observers: everything the
        // handshake loads must have been loaded, on this thread, before start returns
        assertThat(cut.isOpen()).isTrue();
        assertThat(connectedEventThreads).containsExactly(Thread.currentThread());
    }

    /** {@code chat.amqp.heartbeat} is what the connection asks for; the broker's default (60 s) is higher. */
    @Test
    void theConnectionUsesTheConfiguredHeartbeat() throws Exception {
        assumeTrue(brokerListens(), "no AMQP broker on 127.0.0.1:5672");
        ChatSettings base = settings(BROKER);
        cut.settings = new ChatSettings() {
            @Override public String amqpUrl() { return base.amqpUrl(); }
            @Override public boolean embeddedBroker() { return false; }
            @Override public int channelsPerConnection() { return base.channelsPerConnection(); }
            @Override public Duration confirmTimeout() { return base.confirmTimeout(); }
            @Override public Duration reconnectInterval() { return base.reconnectInterval(); }
            @Override public Duration heartbeat() { return Duration.ofSeconds(7); }
        };
        cut.connectedEvents = new Recorder();

        cut.start(new Object());

        Channel channel = cut.openChannel();
        try {
            assertThat(channel.getConnection().getHeartbeat()).isEqualTo(7);
        } finally {
            channel.close();
        }
    }

    @Test
    void aBrokerThatRefusesDoesNotFailTheStartAndStaysNotReady() {
        cut.settings = settings("amqp://guest:guest@127.0.0.1:1");
        cut.connectedEvents = new Recorder();

        cut.start(new Object());

        assertThat(cut.isOpen()).isFalse();
        assertThat(cut.lastFailure()).contains("127.0.0.1:1");
        assertThat(connectedEventThreads).isEmpty();
    }

    /**
     * Found in a CI run of {@code BrokerRestartChaosIT}: {@link BrokerConnected} went out when the
     * consuming connection had recovered, 40 ms before the publishing one. Users' consumers started
     * and got messages whose acks could not publish their receipts; one recipient was told to ack
     * again, did not, and its sender never got {@code delivered}. A recovery is announced once both
     * connections are open, whichever of them was lost; here only the publishing one.
     */
    @Test
    void aRecoveryIsAnnouncedOnceBothConnectionsAreOpenWhicheverWasLost() throws Exception {
        assumeTrue(brokerListens(), "no AMQP broker on 127.0.0.1:5672");
        cut.settings = settings(BROKER, Duration.ofMillis(300));
        cut.connectedEvents = new Recorder();
        cut.start(new Object());
        assertThat(openWhenConnected).containsExactly(true);

        Channel publishing = cut.openPublishChannel();
        int clientPort = ((AMQConnection) publishing.getConnection()).getLocalPort();
        RabbitMqNode.closeConnectionFrom(clientPort, "a test closes the publishing connection");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(openWhenConnected).hasSize(2));
        assertThat(openWhenConnected).containsExactly(true, true);
        assertThat(cut.isOpen()).isTrue();
    }

    /**
     * Issue 21, part 4 (c): a further connection was opened under the object's monitor, by whichever
     * caller found every connection full, which design.md's locks do not allow (no broker I/O under a
     * lock). It is now opened by the connections' one opener thread, holding no lock.
     */
    @Test
    void aFurtherConnectionIsOpenedByTheOpenerHoldingNoLock() throws Exception {
        assumeTrue(brokerListens(), "no AMQP broker on 127.0.0.1:5672");
        List<String> openers = startWithChannelsPerConnection(2);

        Channel further = fillTheFirstConnection(2);

        assertThat(further.getConnection().getClientProvidedName()).isEqualTo("estate-chat-2");
        assertThat(openers).singleElement().asString().startsWith("chat-amqp-open-").doesNotContain("lock");
    }

    /**
     * Issue 21, part 4 (c): only the first two connections had a recovery listener, so a further
     * connection that was lost and recovered went unannounced (and its alarms unlogged). It is
     * watched like the first: once it is back, {@link BrokerConnected} goes out.
     */
    @Test
    void aFurtherConnectionThatIsLostIsAnnouncedWhenItRecovers() throws Exception {
        assumeTrue(brokerListens(), "no AMQP broker on 127.0.0.1:5672");
        startWithChannelsPerConnection(2);
        Channel further = fillTheFirstConnection(2);

        int clientPort = ((AMQConnection) further.getConnection()).getLocalPort();
        RabbitMqNode.closeConnectionFrom(clientPort, "a test closes a further consuming connection");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(openWhenConnected).hasSize(2));
        assertThat(openWhenConnected).containsExactly(true, true);
    }

    /**
     * The connector thread opened further connections itself, blocking in the handshake, and also
     * announced recoveries: a broker node that takes a connection and does not answer held
     * {@link BrokerConnected} back for the whole handshake timeout (10 s), and with it every
     * user's resubscription. Connections are now opened on a thread of their own.
     */
    @Test
    void aRecoveryIsAnnouncedWhileAFurtherConnectionWaitsForTheBroker() throws Exception {
        assumeTrue(brokerListens(), "no AMQP broker on 127.0.0.1:5672");
        try (TcpProxy proxy = TcpProxy.to(5672, true)) {
            startWithChannelsPerConnection(2, "amqp://guest:guest@127.0.0.1:" + proxy.port());
            Channel publishing = cut.openPublishChannel();
            cut.openChannel();
            cut.openChannel();
            proxy.stallNext();
            CompletableFuture<Channel> further = CompletableFuture.supplyAsync(() -> {
                try {
                    return cut.openChannel();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            await().atMost(Duration.ofSeconds(5)).until(proxy::stalled, stalls -> stalls == 1);

            proxy.drop(((AMQConnection) publishing.getConnection()).getLocalPort());

            await().atMost(Duration.ofSeconds(4)).untilAsserted(() -> assertThat(openWhenConnected).hasSize(2));
            assertThat(openWhenConnected).containsExactly(true, true);
            assertThat(further).isNotDone();
            proxy.releaseStalled();
            assertThat(further.get(20, TimeUnit.SECONDS).getConnection().getClientProvidedName())
                    .isEqualTo("estate-chat-2");
        }
    }

    /**
     * A connection the broker finished opening after the server had begun to shut down was kept
     * (and announced) by the connector, past {@link BrokerConnection#close()}: nobody closed it.
     * It is now closed at once, and nothing is announced.
     */
    @Test
    void aConnectionThatOpensAfterShutdownBeganIsClosedAndNotAnnounced() {
        try (TcpProxy proxy = TcpProxy.to(5672, false)) {
            assumeTrue(brokerListens(), "no AMQP broker on 127.0.0.1:5672");
            cut.settings = settings("amqp://guest:guest@127.0.0.1:" + proxy.port(), Duration.ofMillis(300));
            cut.connectedEvents = new Recorder();
            cut.start(new Object());
            assertThat(cut.isOpen()).isFalse();
            proxy.stallNext();
            proxy.restore();
            await().atMost(Duration.ofSeconds(5)).until(proxy::stalled, stalls -> stalls == 1);

            cut.close();
            proxy.releaseStalled();

            await().atMost(Duration.ofSeconds(10)).until(proxy::relayed, relayed -> relayed == 0);
            assertThat(connectedEventThreads).isEmpty();
            assertThat(cut.isOpen()).isFalse();
        }
    }

    /** Starts with a small channel limit; returns the names of the threads that open a further connection. */
    private List<String> startWithChannelsPerConnection(int channels) {
        return startWithChannelsPerConnection(channels, BROKER);
    }

    private List<String> startWithChannelsPerConnection(int channels, String url) {
        ChatSettings base = settings(url, Duration.ofMillis(300));
        cut.settings = new ChatSettings() {
            @Override public String amqpUrl() { return base.amqpUrl(); }
            @Override public boolean embeddedBroker() { return false; }
            @Override public int channelsPerConnection() { return channels; }
            @Override public Duration confirmTimeout() { return base.confirmTimeout(); }
            @Override public Duration reconnectInterval() { return base.reconnectInterval(); }
        };
        cut.connectedEvents = new Recorder();
        cut.start(new Object());
        assertThat(openWhenConnected).containsExactly(true);
        ConnectionFactory opening = cut.factory;
        List<String> openers = new CopyOnWriteArrayList<>();
        cut.factory = new ConnectionFactory() {
            @Override
            public Connection newConnection(String name) throws IOException, TimeoutException {
                openers.add(Thread.currentThread().getName() + (Thread.holdsLock(cut) ? " holding the lock" : ""));
                return opening.newConnection(name);
            }
        };
        return openers;
    }

    /** Takes every channel of the first connection; returns the next one, on a further connection. */
    private Channel fillTheFirstConnection(int channels) throws IOException {
        for (int i = 0; i < channels; i++) {
            assertThat(cut.openChannel().getConnection().getClientProvidedName()).isEqualTo("estate-chat");
        }
        return cut.openChannel();
    }

    static boolean brokerListens() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 5672), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static ChatSettings settings(String url) {
        return settings(url, Duration.ofSeconds(5));
    }

    static ChatSettings settings(String url, Duration reconnectInterval) {
        return new ChatSettings() {
            @Override
            public String amqpUrl() {
                return url;
            }

            @Override
            public boolean embeddedBroker() {
                return false;
            }

            @Override
            public int channelsPerConnection() {
                return 2000;
            }

            @Override
            public Duration confirmTimeout() {
                return Duration.ofSeconds(5);
            }

            @Override
            public Duration reconnectInterval() {
                return reconnectInterval;
            }
        };
    }

    /** Records the thread each BrokerConnected event is fired on. */
    final class Recorder implements Event<BrokerConnected> {
        @Override
        public void fire(BrokerConnected event) {
            connectedEventThreads.add(Thread.currentThread());
            openWhenConnected.add(cut.isOpen());
        }

        @Override
        public <U extends BrokerConnected> CompletionStage<U> fireAsync(U event) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends BrokerConnected> CompletionStage<U> fireAsync(U event, NotificationOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Event<BrokerConnected> select(Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends BrokerConnected> Event<U> select(Class<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends BrokerConnected> Event<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }
    }
}
