package com.estatechat.amqp.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.estatechat.concurrent.SerialExecutor;
import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many users' consumers on shared channels, against a real RabbitMQ: acks coalesced from many
 * threads, users leaving with deliveries unacked and coming back, all at once. The broker closes a
 * channel on any ack it does not know (a wrong {@code multiple=true} range, a tag settled twice, a
 * tag of another channel), so the run must end without a channel lost and with every message acked.
 */
class ConsumerChannelTest {

    static final int USERS = 30;
    static final int MESSAGES_PER_USER = 200;

    final String prefix = "test.cc." + UUID.randomUUID().toString().substring(0, 8) + ".";
    final BrokerConnection broker = new BrokerConnection();
    final InboxTopology topology = new InboxTopology();
    final Inboxes inboxes = new Inboxes();
    final ExecutorService lanes = Executors.newFixedThreadPool(4);
    final ScheduledExecutorService settlements = Executors.newScheduledThreadPool(2);
    final List<String> lost = new CopyOnWriteArrayList<>();
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    Duration confirmTimeout = Duration.ofSeconds(5);

    @AfterEach
    void close() throws Exception {
        lanes.shutdownNow();
        settlements.shutdownNow();
        broker.close();
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            for (int user = 0; user < USERS; user++) {
                channel.queueDelete(prefix + "inbox.u" + user);
            }
            channel.exchangeDelete(prefix + "exchange");
            channel.exchangeDelete(prefix + "dead-letter");
            channel.queueDelete(prefix + "dead-letter");
        }
    }

    private void start() {
        assumeTrue(BrokerConnectionTest.brokerListens(), "no AMQP broker on 127.0.0.1:5672");
        ChatSettings settings = settings();
        broker.settings = settings;
        broker.connectedEvents = new BrokerConnectionTest().new Recorder();
        broker.start(new Object());
        topology.settings = settings;
        topology.broker = broker;
        inboxes.broker = broker;
        inboxes.topology = topology;
        inboxes.settings = settings;
    }

    /**
     * Found in a profile of a connect storm: the client library records every queue and binding
     * declared through a recovering connection, even with topology recovery off, and each new
     * binding scans the whole record (a fifth of the server's CPU while 2,000 users connected). The
     * record was meant to be emptied after each declare, but that asked the channel for its
     * connection, which is the library's inner connection, not the recovering one: it never ran.
     */
    @Test
    void declaringInboxesLeavesNoRecordInTheClientLibrary() throws Exception {
        start();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setTopologyRecoveryEnabled(false); // as BrokerConnection does; automatic recovery is on
        try (Connection connection = factory.newConnection()) {
            AutorecoveringConnection recovering = (AutorecoveringConnection) connection;
            Channel channel = connection.createChannel();
            for (int user = 0; user < USERS; user++) {
                topology.declareInbox(channel, "u" + user, List.of("test-broadcast"), List.of("test-other"));
            }
            assertThat(recovering.getRecordedBindings()).as("bindings recorded").isEmpty();
            assertThat(recovering.getRecordedQueues()).as("queues recorded").isEmpty();
        }
    }

    /**
     * Found in the same profile, smaller: each inbox consumer was recorded for a recovery that never
     * uses it (a lost consuming channel is given up, and its users subscribe again), and each cancel
     * scanned every consumer recorded on the connection. Consumers now start beneath the recovering
     * channel; they still receive.
     */
    @Test
    void inboxConsumersLeaveNoRecordInTheClientLibrary() throws Exception {
        start();
        List<InboxSubscription> subscriptions = new ArrayList<>();
        Recording first = new Recording();
        for (int user = 0; user < USERS; user++) {
            subscriptions.add(inboxes.subscribe("u" + user, List.of(), List.of(), user == 0 ? first : new Recording())
                    .get(10, TimeUnit.SECONDS));
        }
        AutorecoveringConnection recovering = (AutorecoveringConnection) broker.consumingConnection();
        assertThat(recovering.getRecordedConsumers()).as("consumers recorded").isEmpty();
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            publish(channel, "u0", "m0");
            channel.waitForConfirmsOrDie(5_000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> first.deliveries.size() == 1);
        subscriptions.get(0).ack(first.deliveries.get(0).deliveryTag());
        subscriptions.forEach(InboxSubscription::close);
        await().atMost(Duration.ofSeconds(10)).until(() -> subscriptions.stream().allMatch(s -> s.over().isDone()));
        assertThat(recovering.getRecordedConsumers()).as("consumers recorded").isEmpty();
    }

    /**
     * Found by reading: after a quick reconnect, messages the old subscription left unsettled went
     * back to the inbox only once its ack in progress was settled, while the new subscription was
     * already consuming; newer messages came first. The new subscription now starts once the old
     * one has ended, on the same channel: the requeued ones come first, in order.
     */
    @Test
    void aUserWhoComesBackWhileAnAckIsSettlingGetsTheRequeuedMessagesBeforeNewerOnes() throws Exception {
        start();
        Recording first = new Recording();
        InboxSubscription leaving = inboxes.subscribe("u0", List.of(), List.of(), first).get(10, TimeUnit.SECONDS);
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            for (int i = 0; i < 6; i++) {
                publish(channel, "u0", "m" + i);
            }
            channel.waitForConfirmsOrDie(5_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> first.deliveries.size() == 6);
            // the user acks m0 and leaves at once: the ack is settling (its receipt awaits a confirm)
            leaving.hold();
            leaving.ack(first.deliveries.get(0).deliveryTag());
            leaving.close();
            Recording second = new Recording();
            CompletableFuture<InboxSubscription> back = inboxes.subscribe("u0", List.of(), List.of(), second);
            // whatever the channel's owner had to do for the new subscription is done once this runs
            CompletableFuture<Void> ownerPassed = new CompletableFuture<>();
            leaving.carrier().execute(() -> ownerPassed.complete(null));
            ownerPassed.get(10, TimeUnit.SECONDS);
            publish(channel, "u0", "m6");
            publish(channel, "u0", "m7");
            channel.waitForConfirmsOrDie(5_000);

            leaving.release(); // the ack is settled: the old subscription ends, m1..m5 go back
            back.get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> second.deliveries.size() == 7);
            assertThat(second.deliveries).extracting(InboxDelivery::messageId)
                    .containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "m7");
        }
    }

    /**
     * Issue 21, part 4 (b): the new subscription waited for the old one's end at most twice the
     * confirm timeout, but an ack settles once its receipt is confirmed, which can take longer (it
     * waits in its publisher lane, then for its confirm without a time limit once written, as through
     * a broker alarm). Past the limit the new one consumed, and the messages the old one left unacked
     * came after newer ones. Now it waits for the end itself, however long the settlement takes.
     */
    @Test
    void aUserWhoComesBackWhileAnAckSettlesPastAnyTimeoutStillGetsTheRequeuedMessagesFirst() throws Exception {
        confirmTimeout = Duration.ofMillis(500);
        start();
        Recording first = new Recording();
        InboxSubscription leaving = inboxes.subscribe("u0", List.of(), List.of(), first).get(10, TimeUnit.SECONDS);
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            for (int i = 0; i < 3; i++) {
                publish(channel, "u0", "m" + i);
            }
            channel.waitForConfirmsOrDie(5_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> first.deliveries.size() == 3);
            leaving.hold();
            leaving.ack(first.deliveries.get(0).deliveryTag());
            leaving.close();
            Recording second = new Recording();
            CompletableFuture<InboxSubscription> back = inboxes.subscribe("u0", List.of(), List.of(), second);
            publish(channel, "u0", "m3");
            channel.waitForConfirmsOrDie(5_000);

            // the settlement outlasts four times the confirm timeout: nothing may be consumed meanwhile
            await().during(Duration.ofMillis(2_000)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
                assertThat(second.deliveries).extracting(InboxDelivery::messageId)
                        .as("consumed while the old subscription still holds m1 and m2").isEmpty();
                assertThat(back).as("started while the old subscription still holds m1 and m2").isNotDone();
            });
            leaving.release();
            back.get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> second.deliveries.size() == 3);
            assertThat(second.deliveries).extracting(InboxDelivery::messageId).containsExactly("m1", "m2", "m3");
        }
    }

    /**
     * Issue 21, part 4 (a): the binds went without waiting on the declaring channel and the consumer
     * started on the other one, so nothing waited for them. A bind the broker refused (here: the
     * exchange was deleted after this connection declared it) left a running consumer on an inbox
     * nothing routes to, its user greeted, and the declaring channel closed under the next user.
     * Now the binds are confirmed before the consumer starts: the refused one fails its subscription
     * (retried like any failed subscribe), and the next user on that channel is bound and receives.
     */
    @Test
    void aBindTheBrokerRefusesFailsThatSubscriptionAndNotTheNextUsers() throws Exception {
        start();
        InboxSubscription first = inboxes.subscribe("u0", List.of(), List.of(), new Recording()).get(10, TimeUnit.SECONDS);
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.exchangeDelete(prefix + "exchange");

            CompletableFuture<InboxSubscription> refused = inboxes.subscribe("u1", List.of("test-broadcast"), List.of(),
                    new Recording());
            assertThat(refused).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                    .havingRootCause().withMessageContaining("NOT_FOUND");

            channel.exchangeDeclare(prefix + "exchange", "direct", true);
            Recording next = new Recording();
            InboxSubscription bound = inboxes.subscribe("u2", List.of("test-broadcast"), List.of(), next)
                    .get(10, TimeUnit.SECONDS);
            assertThat(bound.carrier()).as("on the channel the refused bind was sent on").isSameAs(first.carrier());
            channel.confirmSelect();
            channel.basicPublish(prefix + "exchange", "test-broadcast", true,
                    new AMQP.BasicProperties.Builder().messageId("b0").type("message").build(),
                    "b0".getBytes(StandardCharsets.UTF_8));
            channel.basicPublish(prefix + "exchange", "u2", true,
                    new AMQP.BasicProperties.Builder().messageId("d0").type("message").build(),
                    "d0".getBytes(StandardCharsets.UTF_8));
            channel.waitForConfirmsOrDie(5_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> next.deliveries.size() == 2);
            assertThat(next.deliveries).extracting(InboxDelivery::messageId).containsExactly("b0", "d0");
        }
    }

    /**
     * Issue 21: every {@code basic.cancel} from the broker was taken for a removed user, whose
     * sessions were closed for good; but a classic queue whose node goes down cancels its consumers
     * too. Now only a cancel whose inbox is gone is a removal. u0's inbox is deleted; u1's is deleted
     * and declared again before the channel's owner looks (held until then), as it would be found
     * after its node came back: u1's consumer is lost, and its user subscribes again.
     */
    @Test
    void aConsumerTheBrokerCancelsIsARemovedUserOnlyWhenItsInboxIsGone() throws Exception {
        start();
        Gate owner = new Gate();
        ConsumerChannel carrier = new ConsumerChannel(broker, topology, owner, "gated channel");
        Ending removed = new Ending();
        Ending cancelled = new Ending();
        startOn(carrier, new InboxSubscription("u0", carrier, removed));
        startOn(carrier, new InboxSubscription("u1", carrier, cancelled));

        owner.hold();
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDelete(prefix + "inbox.u0");
            channel.queueDelete(prefix + "inbox.u1");
            await().atMost(Duration.ofSeconds(10)).until(() -> owner.held() == 2); // both cancels handed over
            channel.queueDeclare(prefix + "inbox.u1", true, false, false, Map.of());
        }
        owner.release();

        assertThat(removed.end.get(10, TimeUnit.SECONDS)).isEqualTo("removed");
        assertThat(cancelled.end.get(10, TimeUnit.SECONDS)).startsWith("lost");
        assertThat(carrier.load()).isZero();
        owner.thread.shutdown();
    }

    /**
     * Found in a trace of FlappingClientsChaosIT: a delivery is recorded on the channel's owner and
     * handed to its user's lane, two lanes with no order between them. The user's lane showed it to
     * the client, which acked it and left; the record came after the close was asked for, and took
     * the delivery for one that nobody would see: it requeued it at once. The ack that followed
     * settled nothing, and the message came a second time although its ack stood (receipt and
     * history). Now a delivery the consumer received before it ended is recorded as held, and only
     * the subscription's end requeues what is still unsettled then.
     */
    @Test
    void aDeliveryAckedBeforeItsRecordIsNotRequeuedByASubscriptionThatIsClosing() throws Exception {
        start();
        Gate owner = new Gate();
        ConsumerChannel carrier = new ConsumerChannel(broker, topology, owner, "gated channel");
        Recording shown = new Recording();
        InboxSubscription subscription = startOn(carrier, new InboxSubscription("u0", carrier, shown));

        owner.hold(); // the channel's owner is busy: the delivery's record waits behind it
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            publish(channel, "u0", "m0");
            channel.waitForConfirmsOrDie(5_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> shown.deliveries.size() == 1);
            // the client acks it and leaves at once: the ack settles (its receipt awaits a confirm)
            subscription.hold();
            subscription.close();
            subscription.ack(shown.deliveries.get(0).deliveryTag());
            owner.release();
            subscription.release();
            subscription.over().get(10, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    channel.queueDeclarePassive(prefix + "inbox.u0").getMessageCount())
                    .as("messages in the inbox after the acked one's consumer ended").isZero());
            assertThat(channel.basicGet(prefix + "inbox.u0", true)).as("the acked message, again").isNull();
        } finally {
            owner.thread.shutdown();
        }
    }

    /** Starts {@code subscription}'s consumer on {@code carrier}, on its owner, and waits until it consumes. */
    private static InboxSubscription startOn(ConsumerChannel carrier, InboxSubscription subscription) throws Exception {
        CompletableFuture<Void> consuming = new CompletableFuture<>();
        carrier.reserve();
        carrier.execute(() -> {
            try {
                carrier.start(subscription, 20, List.of(), List.of());
                consuming.complete(null);
            } catch (java.io.IOException | RuntimeException e) {
                consuming.completeExceptionally(e);
            }
        });
        consuming.get(10, TimeUnit.SECONDS);
        return subscription;
    }

    /** The owner of a channel, on one thread, whose tasks a test can hold back and then let run in order. */
    static final class Gate implements java.util.concurrent.Executor {
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        private final List<Runnable> held = new ArrayList<>();
        private boolean holding;

        @Override
        public synchronized void execute(Runnable task) {
            if (holding) {
                held.add(task);
            } else {
                thread.execute(task);
            }
        }

        synchronized void hold() {
            holding = true;
        }

        synchronized int held() {
            return held.size();
        }

        synchronized void release() {
            holding = false;
            held.forEach(thread::execute);
            held.clear();
        }
    }

    /** A listener that keeps how its subscription ended. */
    static final class Ending implements InboxListener {
        final CompletableFuture<String> end = new CompletableFuture<>();

        @Override
        public void onDelivery(InboxSubscription source, InboxDelivery delivery) {
        }

        @Override
        public void onLost(InboxSubscription source, String reason) {
            end.complete("lost: " + reason);
        }

        @Override
        public void onRemoved(InboxSubscription source) {
            end.complete("removed");
        }
    }

    private void publish(Channel channel, String user, String id) throws java.io.IOException {
        channel.basicPublish("", prefix + "inbox." + user,
                new AMQP.BasicProperties.Builder().messageId(id).type("message").deliveryMode(2).build(),
                id.getBytes(StandardCharsets.UTF_8));
    }

    /** A listener that keeps what it is given, in order. */
    static final class Recording implements InboxListener {
        final List<InboxDelivery> deliveries = new CopyOnWriteArrayList<>();

        @Override
        public void onDelivery(InboxSubscription source, InboxDelivery delivery) {
            deliveries.add(delivery);
        }

        @Override
        public void onLost(InboxSubscription source, String reason) {
        }
    }

    @Test
    void usersComingAndGoingOnSharedChannelsLoseNothingAndNeverUpsetTheBroker() throws Exception {
        start();

        List<Flapper> users = new ArrayList<>();
        for (int user = 0; user < USERS; user++) {
            Flapper flapper = new Flapper("u" + user);
            users.add(flapper);
            flapper.subscribe();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> users.stream().allMatch(user -> user.current.get() != null));

        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            for (int i = 0; i < MESSAGES_PER_USER; i++) {
                for (int user = 0; user < USERS; user++) {
                    String id = "u" + user + "-" + i;
                    channel.basicPublish("", prefix + "inbox.u" + user,
                            new AMQP.BasicProperties.Builder().messageId(id).type("message").build(),
                            id.getBytes(StandardCharsets.UTF_8));
                }
            }
        }

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(acked).hasSize(USERS * MESSAGES_PER_USER));
        assertThat(lost).as("consumers lost: the broker closed a channel").isEmpty();
        users.forEach(user -> user.current.get().close());
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (int user = 0; user < USERS; user++) {
                    assertThat(channel.queueDeclarePassive(prefix + "inbox.u" + user).getMessageCount())
                            .as("messages left in u%d's inbox: acked ones must not come back", user).isZero();
                }
            });
        }
    }

    /**
     * A user whose lane acks most deliveries a little later, and now and then
     * leaves with what it holds unacked and subscribes again at once.
     */
    final class Flapper implements InboxListener {
        final String userId;
        final AtomicReference<InboxSubscription> current = new AtomicReference<>();
        final SerialExecutor lane;

        Flapper(String userId) {
            this.userId = userId;
            this.lane = new SerialExecutor(lanes, userId);
        }

        void subscribe() {
            inboxes.subscribe(userId, List.of(), List.of(), this).whenComplete((subscription, failure) -> {
                if (failure != null) {
                    lost.add(userId + ": " + failure);
                } else {
                    current.set(subscription);
                }
            });
        }

        @Override
        public void onDelivery(InboxSubscription source, InboxDelivery delivery) {
            lane.execute(() -> {
                if (!source.isOpen()) {
                    return; // its end requeues it
                }
                if (ThreadLocalRandom.current().nextInt(100) < 3 && current.compareAndSet(source, null)) {
                    source.close(); // leaves with this and whatever else it holds unacked
                    subscribe();
                    return;
                }
                if (ThreadLocalRandom.current().nextInt(100) < 5) {
                    source.deadLetter(delivery); // unreadable: settled, never to come again
                    acked.add(delivery.messageId());
                    return;
                }
                // as an ack does: held while the receipt is published elsewhere, then settled on the lane
                source.hold();
                settlements.schedule(() -> lane.execute(() -> {
                    try {
                        source.ack(delivery.deliveryTag());
                        acked.add(delivery.messageId());
                    } finally {
                        source.release();
                    }
                }), ThreadLocalRandom.current().nextInt(3_000), TimeUnit.MICROSECONDS);
            });
        }

        @Override
        public void onLost(InboxSubscription source, String reason) {
            lost.add(userId + ": " + reason);
        }
    }

    ChatSettings settings() {
        String url = BrokerConnectionTest.BROKER;
        return new ChatSettings() {
            @Override public String amqpUrl() { return url; }
            @Override public boolean embeddedBroker() { return false; }
            @Override public int channelsPerConnection() { return 2000; }
            @Override public Duration confirmTimeout() { return confirmTimeout; }
            @Override public Duration reconnectInterval() { return Duration.ofSeconds(5); }
            @Override public String exchange() { return prefix + "exchange"; }
            @Override public String inboxPrefix() { return prefix + "inbox."; }
            @Override public String deadLetterExchange() { return prefix + "dead-letter"; }
            @Override public int prefetch() { return 20; }
            @Override public int consumersPerChannel() { return 10; }
            @Override public QueueType queueType() { return QueueType.CLASSIC; }
            @Override public long inboxMaxLength() { return 0; }
            @Override public Duration inboxMessageTtl() { return Duration.ZERO; }
            @Override public Duration inboxExpires() { return Duration.ZERO; }
        };
    }
}
