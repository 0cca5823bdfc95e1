package com.estatechat.amqp.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The publishing lane against a channel that does what a broker under a resource alarm does: it
 * stops reading (a write blocks) or sends {@code connection.blocked}, and confirms come late.
 */
class PublisherLaneTest {

    static final Duration BUDGET = Duration.ofMillis(300);

    final FakeBroker broker = new FakeBroker();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final PublisherLane lane = new PublisherLane("test-lane", broker, topology(), () -> "test.exchange", BUDGET,
            timer);

    @AfterEach
    void stop() {
        broker.channel.unblockWrites();
        lane.close();
        timer.shutdownNow();
    }

    /**
     * The lane's thread is stuck in a write (the broker stopped reading before it said so). What
     * waits behind it is still refused as not sent within its budget, and once the lane holds its
     * bound a new send is refused at once: the sweep runs on another thread, and the bound is taken
     * by the caller. The written message waits for its confirm.
     */
    @Test
    void aWriteThatBlocksHoldsUpNoAnswer() {
        broker.channel.blockWrites();
        CompletableFuture<Void> written = lane.publish(message("written"));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.channel.writes.get() == 1);
        List<CompletableFuture<Void>> behind = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            behind.add(lane.publish(message("behind-" + i)));
        }

        await().atMost(BUDGET.multipliedBy(10)).until(() -> behind.stream().allMatch(CompletableFuture::isDone));
        behind.forEach(refused -> assertThat(failure(refused)).isInstanceOf(BrokerUnavailable.class)
                .hasMessageContaining("not sent"));

        List<CompletableFuture<Void>> filling = new ArrayList<>();
        for (int i = 0; i < PublisherLane.MAX_ADMITTED; i++) {
            filling.add(lane.publish(message("filling-" + i)));
        }
        assertThat(filling.stream().filter(CompletableFuture::isDone).map(PublisherLaneTest::failure))
                .as("refused at once: the lane is full").anyMatch(PublishingPaused.class::isInstance);
        assertThat(written).as("written: waits for its confirm").isNotDone();
    }

    /**
     * A resource alarm: a message written before the server knew waits for its confirm however
     * long the alarm lasts (no timer turns it into a refusal, which would be a lie once the broker
     * stores it), and a send after {@code connection.blocked} is refused at once with a hint.
     */
    @Test
    void duringAnAlarmAWrittenMessageWaitsForItsConfirmAndANewOneIsRefusedAtOnce() throws Exception {
        CompletableFuture<Void> written = lane.publish(message("written"));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.channel.writes.get() == 1);
        broker.blocked = "memory alarm";

        CompletableFuture<Void> refused = lane.publish(message("after the alarm was seen"));
        assertThat(refused).isCompletedExceptionally();
        assertThat(failure(refused)).isInstanceOf(PublishingPaused.class);
        assertThat(((PublishingPaused) failure(refused)).retryAfter()).isPositive();

        // written, unconfirmed: still waiting several budgets later
        await().during(BUDGET.multipliedBy(4)).atMost(BUDGET.multipliedBy(6)).until(() -> !written.isDone());

        broker.blocked = null;
        broker.channel.confirm(0, true);
        await().atMost(Duration.ofSeconds(5)).until(written::isDone);
        assertThat(written).isCompleted().isNotCompletedExceptionally();
        assertThat(broker.channel.writes.get()).as("the refused one was never written").isEqualTo(1);
    }

    /**
     * The publishing connection drops between a write and its confirm: the broker may hold the
     * message or not, so the sender must not be told it was not sent. It is written again on the
     * next channel, flagged (its delivery is then marked redelivered), and answered by that
     * channel's confirm; a late word from the lost channel, whose sequence numbers the new one
     * reuses, settles nothing.
     */
    @Test
    void aMessageWhoseChannelIsLostBeforeItsConfirmIsWrittenAgainFlaggedAndAnsweredByTheNextConfirm()
            throws Exception {
        CompletableFuture<Void> written = lane.publish(message("written"));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.channel.writes.get() == 1);

        FakeChannel lost = broker.loseChannel();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.channel.writes.get() == 1);
        assertThat(written).as("answered before the broker said anything").isNotDone();
        assertThat(broker.channel.written.get(0).getHeaders()).containsEntry(PublisherLane.HEADER_REPUBLISHED, true);
        assertThat(lost.written.get(0).getHeaders()).doesNotContainKey(PublisherLane.HEADER_REPUBLISHED);

        lost.confirm(0, true);
        CompletableFuture<Void> next = lane.publish(message("next"));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.channel.writes.get() == 2);
        assertThat(written).as("settled by the lost channel's confirm").isNotDone();

        broker.channel.confirm(1, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> written.isDone() && next.isDone());
        assertThat(written).isNotCompletedExceptionally();
        assertThat(next).isNotCompletedExceptionally();
    }

    /**
     * Two messages wait to be written again when the next channel closes after taking the first:
     * the lane finds it closed (its shutdown not yet told) while writing the second. Each is
     * answered once, by a confirm of the channel it was last written on.
     */
    @Test
    void aChannelLostWhileMessagesAreWrittenAgainLosesNoneOfThem() throws Exception {
        CompletableFuture<Void> first = lane.publish(message("first"));
        CompletableFuture<Void> second = lane.publish(message("second"));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.channel.writes.get() == 2);
        broker.nextChannelClosesAfterWrites(1);

        broker.loseChannel();

        await().atMost(Duration.ofSeconds(5)).until(() -> broker.channel.writes.get() >= 2
                && broker.channel.written.stream().map(p -> p.getMessageId()).distinct().count() == 2);
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        broker.channel.confirm(broker.channel.writes.get() - 1, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> first.isDone() && second.isDone());
        assertThat(first).isNotCompletedExceptionally();
        assertThat(second).isNotCompletedExceptionally();
    }

    /** Every future completes when the lane closes, whatever it held: none is left waiting. */
    @Test
    void closingAnswersEverything() {
        CompletableFuture<Void> written = lane.publish(message("written"));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.channel.writes.get() == 1);

        lane.close();

        assertThat(written).isCompletedExceptionally();
        assertThat(lane.publish(message("after"))).isCompletedExceptionally();
    }

    private static Throwable failure(CompletableFuture<Void> future) {
        try {
            future.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private static OutgoingMessage message(String text) {
        return OutgoingMessage.toUser(text, "message", "bob", text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private InboxTopology topology() {
        InboxTopology topology = new InboxTopology();
        topology.broker = broker;
        topology.settings = new ChatSettings() {
            @Override
            public String exchange() {
                return "test.exchange";
            }

            @Override
            public String deadLetterExchange() {
                return "test.dead-letter";
            }
        };
        return topology;
    }

    /**
     * A broker connection whose publishing channel is a {@link FakeChannel}, whose blocked state the
     * test sets, and whose channel the test can take away (a connection drop).
     */
    static final class FakeBroker extends BrokerConnection {
        volatile FakeChannel channel = new FakeChannel();
        volatile String blocked;

        @Override
        public Channel openPublishChannel() {
            return channel.proxy;
        }

        private volatile int closeAfterWrites = -1;

        /** The channel closes as on a connection drop; the next one the lane opens is new. */
        FakeChannel loseChannel() {
            FakeChannel lost = channel;
            FakeChannel next = new FakeChannel();
            channel = next;
            if (closeAfterWrites >= 0) {
                FakeChannel after = new FakeChannel();
                next.closeAfterWrites(closeAfterWrites, () -> channel = after);
                closeAfterWrites = -1;
            }
            lost.shutDown();
            return lost;
        }

        /**
         * The next channel closes, without a word yet, once it has taken {@code writes} messages; the one
         * after it is open.
         */
        void nextChannelClosesAfterWrites(int writes) {
            closeAfterWrites = writes;
        }


        @Override
        public String publishingBlocked() {
            return blocked;
        }
    }

    /** A channel in confirm mode that counts writes, can block them, and confirms when the test says. */
    static final class FakeChannel {
        final AtomicLong writes = new AtomicLong();
        private volatile CountDownLatch writesBlocked = new CountDownLatch(0);
        private volatile ConfirmListener confirms;
        private volatile ShutdownListener shutdown;
        private volatile boolean open = true;
        private volatile int closeAfter = -1;
        private volatile Runnable whenClosedItself;
        final List<AMQP.BasicProperties> written = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Channel proxy = (Channel) Proxy.newProxyInstance(Channel.class.getClassLoader(),
                new Class<?>[] {Channel.class}, (self, method, args) -> switch (method.getName()) {
                    case "isOpen" -> open;
                    case "getNextPublishSeqNo" -> writes.get();
                    case "basicPublish" -> {
                        written.add((AMQP.BasicProperties) args[3]);
                        if (writes.incrementAndGet() == closeAfter) {
                            open = false; // its shutdown is not told yet
                            whenClosedItself.run();
                        }
                        writesBlocked.await();
                        yield null;
                    }
                    case "addConfirmListener" -> {
                        confirms = (ConfirmListener) args[0];
                        yield null;
                    }
                    case "addShutdownListener" -> {
                        shutdown = (ShutdownListener) args[0];
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(self);
                    case "equals" -> self == args[0];
                    case "toString" -> "FakeChannel";
                    default -> null;
                });

        void blockWrites() {
            writesBlocked = new CountDownLatch(1);
        }

        void unblockWrites() {
            writesBlocked.countDown();
        }

        void confirm(long sequence, boolean multiple) throws Exception {
            confirms.handleAck(sequence, multiple);
        }

        void closeAfterWrites(int count, Runnable then) {
            whenClosedItself = then;
            closeAfter = count;
        }

        void shutDown() {
            open = false;
            shutdown.shutdownCompleted(new ShutdownSignalException(true, false, null, proxy));
        }
    }
}
