package com.estatechat.amqp.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dead-letter queue (issue 22, item 5) and inboxes declared by an earlier version, on a real RabbitMQ (no server). */
class InboxTopologyTest {

    final String prefix = "test.it." + UUID.randomUUID().toString().substring(0, 8) + ".";
    final BrokerConnection broker = new BrokerConnection();
    final InboxTopology cut = new InboxTopology();
    Duration deadLetterTtl = Duration.ofSeconds(1);
    final List<Runnable> handlers = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        handlers.forEach(Runnable::run);
        broker.close();
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(prefix + "inbox.bob");
            channel.exchangeDelete(prefix + "exchange");
            channel.exchangeDelete(prefix + "dead-letter");
            channel.queueDelete(prefix + "dead-letter");
        }
    }

    private void start() {
        assumeTrue(BrokerConnectionTest.brokerListens(), "no AMQP broker on 127.0.0.1:5672");
        ChatSettings settings = new ChatSettings() {
            @Override public String amqpUrl() { return BrokerConnectionTest.BROKER; }
            @Override public boolean embeddedBroker() { return false; }
            @Override public Duration confirmTimeout() { return Duration.ofSeconds(5); }
            @Override public Duration reconnectInterval() { return Duration.ofSeconds(5); }
            @Override public String exchange() { return prefix + "exchange"; }
            @Override public String inboxPrefix() { return prefix + "inbox."; }
            @Override public String deadLetterExchange() { return prefix + "dead-letter"; }
            @Override public Duration deadLetterTtl() { return deadLetterTtl; }
            @Override public QueueType queueType() { return QueueType.CLASSIC; }
            @Override public long inboxMaxLength() { return 0; }
            @Override public Duration inboxMessageTtl() { return Duration.ZERO; }
            @Override public Duration inboxExpires() { return Duration.ZERO; }
            @Override public boolean fanOut() { return true; }
        };
        broker.settings = settings;
        broker.connectedEvents = new BrokerConnectionTest().new Recorder();
        broker.start(new Object());
        cut.settings = settings;
        cut.broker = broker;
    }

    /**
     * A dead letter is a message's body (what expired in an inbox, what could not be read): it
     * goes after {@code chat.amqp.dead-letter-ttl}, so an erased user's words do not stay there
     * for ever (it failed: the queue kept it).
     */
    @Test
    void aDeadLetterGoesAfterTheDeadLetterTtl() throws Exception {
        start();
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            cut.ensureExchanges(channel);
            channel.basicPublish(prefix + "dead-letter", "", null, "an erased user's words".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> channel.queueDeclarePassive(prefix + "dead-letter").getMessageCount() == 1);

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel.queueDeclarePassive(prefix + "dead-letter").getMessageCount() == 0);
        }
    }

    /**
     * A dead-letter queue an earlier version declared without a TTL cannot be declared again with
     * one (the broker answers 406 and closes the channel): it is used as it is, with a warning, and
     * the caller's channel stays open.
     */
    @Test
    void aDeadLetterQueueDeclaredWithoutATtlIsUsedAsItIs() throws Exception {
        start();
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(prefix + "dead-letter", true, false, false,
                    Map.of("x-queue-type", "classic"));

            cut.ensureExchanges(channel);

            assertThat(channel.isOpen()).isTrue();
            channel.basicPublish(prefix + "dead-letter", "", null, "kept".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> channel.queueDeclarePassive(prefix + "dead-letter").getMessageCount() == 1);
        }
    }

    /**
     * Found by reading: an inbox declared before fan-out (no x-single-active-consumer) was declared
     * again at each connect, refused (406: a channel closed and opened again) and warned about each
     * time. Now the first refusal is remembered: the next declares are passive, on an open channel,
     * and the warning (which says what the operator can do) comes once.
     */
    @Test
    void anInboxWithOtherArgumentsIsRefusedOnceThenDeclaredPassivelyAndWarnedAboutOnce() throws Exception {
        start();
        declareAsBeforeFanOut("bob");
        List<String> warnings = warningsOf(InboxTopology.class);

        Channel refused = broker.openChannel();
        assertThatThrownBy(() -> cut.declareInbox(refused, "bob", List.of(), List.of()))
                .isInstanceOf(InboxArgumentsMismatch.class);
        Channel channel = broker.openChannel();
        cut.useExistingInbox(channel, "bob", List.of(), List.of());
        for (int connect = 0; connect < 3; connect++) {
            cut.declareInbox(channel, "bob", List.of(), List.of());
        }

        assertThat(channel.isOpen()).isTrue();
        assertThat(warnings).singleElement().asString().contains(prefix + "inbox.bob").contains("policy")
                .contains("deleting it");
    }

    /**
     * The operator's way to give such an inbox the settings' arguments is to delete it (docs/operations.md,
     * Several nodes): a passive declare then finds nothing, and the inbox is declared anew, as the
     * settings ask, on the caller's next channel.
     */
    @Test
    void anInboxWithOtherArgumentsDeletedMeanwhileIsDeclaredAnewAsTheSettingsAsk() throws Exception {
        start();
        declareAsBeforeFanOut("bob");
        Channel refused = broker.openChannel();
        assertThatThrownBy(() -> cut.declareInbox(refused, "bob", List.of(), List.of()))
                .isInstanceOf(InboxArgumentsMismatch.class);
        cut.useExistingInbox(broker.openChannel(), "bob", List.of(), List.of());
        try (Connection connection = new ConnectionFactory().newConnection(); Channel admin = connection.createChannel()) {
            admin.queueDelete(prefix + "inbox.bob");
        }

        Channel found = broker.openChannel();
        assertThatThrownBy(() -> cut.declareInbox(found, "bob", List.of(), List.of()))
                .isInstanceOf(InboxArgumentsMismatch.class);
        cut.useExistingInbox(broker.openChannel(), "bob", List.of(), List.of());

        try (Connection connection = new ConnectionFactory().newConnection(); Channel admin = connection.createChannel()) {
            admin.queueDeclare(prefix + "inbox.bob", true, false, false, cut.inboxArguments()); // 406 unless alike
        }
    }

    /**
     * Found by the connect storm's split (bench/results/2026-12-07-storm.md): every connect declared
     * the inbox, bound it three times and unbound it twice, round trips and writes at the broker. An
     * inbox this node declared on this broker connection, with the same bindings, is now found by a
     * passive declare: its bindings and arguments stay as they were.
     */
    @Test
    void anInboxDeclaredHereBeforeIsFoundAgainAsItWas() throws Exception {
        start();
        Channel channel = broker.openChannel();
        cut.declareInbox(channel, "bob", List.of("role:tenant", "everyone"), List.of("role:landlord"));

        for (int connect = 0; connect < 3; connect++) {
            cut.declareInbox(channel, "bob", List.of("role:tenant", "everyone"), List.of("role:landlord"));
        }

        assertThat(channel.isOpen()).isTrue();
        assertThat(routed("bob", "role:tenant", "everyone", "role:landlord")).isEqualTo(3);
        try (Connection connection = new ConnectionFactory().newConnection(); Channel admin = connection.createChannel()) {
            admin.queueDeclare(prefix + "inbox.bob", true, false, false, cut.inboxArguments()); // 406 unless alike
        }
    }

    /** Deleted since this node declared it: the passive declare fails, and it is declared anew and bound on a new channel. */
    @Test
    void anInboxDeletedSinceItWasDeclaredHereIsDeclaredAnewAndBound() throws Exception {
        start();
        cut.declareInbox(broker.openChannel(), "bob", List.of("everyone"), List.of());
        try (Connection connection = new ConnectionFactory().newConnection(); Channel admin = connection.createChannel()) {
            admin.queueDelete(prefix + "inbox.bob");
        }

        Channel found = broker.openChannel();
        assertThatThrownBy(() -> cut.declareInbox(found, "bob", List.of("everyone"), List.of()))
                .isInstanceOf(InboxArgumentsMismatch.class);
        cut.useExistingInbox(broker.openChannel(), "bob", List.of("everyone"), List.of());

        assertThat(routed("bob", "everyone")).isEqualTo(2);
    }

    /** Other bindings asked for (a role changed): declared and bound in full, the old role's key unbound. */
    @Test
    void anInboxAskedForWithOtherBindingsIsBoundAgain() throws Exception {
        start();
        Channel channel = broker.openChannel();
        cut.declareInbox(channel, "bob", List.of("role:landlord", "everyone"), List.of("role:tenant"));

        cut.declareInbox(channel, "bob", List.of("role:tenant", "everyone"), List.of("role:landlord"));

        assertThat(routed("bob", "role:landlord", "role:tenant")).isEqualTo(2);
    }

    /** Publishes one message by each key to the chat exchange; how many reached bob's inbox. */
    private int routed(String... keys) throws Exception {
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            for (String key : keys) {
                channel.basicPublish(prefix + "exchange", key, null, "{}".getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
            return channel.queueDeclarePassive(prefix + "inbox.bob").getMessageCount();
        }
    }

    private void declareAsBeforeFanOut(String userId) throws Exception {
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            Map<String, Object> arguments = new HashMap<>(cut.inboxArguments());
            arguments.remove("x-single-active-consumer");
            channel.queueDeclare(prefix + "inbox." + userId, true, false, false, arguments);
        }
    }

    /** The WARNING lines {@code type}'s logger writes from now on, until the test ends. */
    private List<String> warningsOf(Class<?> type) {
        Logger logger = Logger.getLogger(type.getName());
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel() == Level.WARNING) {
                    warnings.add(new SimpleFormatter().formatMessage(record));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        handlers.add(() -> logger.removeHandler(handler));
        return warnings;
    }
}
