package com.estatechat.history.control;

import static com.estatechat.history.control.TestStores.delivered;
import static com.estatechat.history.control.TestStores.id;
import static com.estatechat.history.control.TestStores.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.amqp.control.BrokerConnected;
import com.estatechat.amqp.control.BrokerConnection;
import com.estatechat.amqp.control.InboxTopology;
import com.estatechat.json.JsonCodec;
import com.estatechat.history.entity.HistoryEvent;
import com.rabbitmq.client.Channel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the writer reads a message of the history queue, what it tells the log about one it cannot
 * use, and on which channel it settles a batch.
 */
class HistoryWriterTest {

    final JsonCodec codec = new JsonCodec();
    final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    final Logger log = Logger.getLogger(HistoryWriter.class.getName());
    final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    HistoryWriter cut;

    @BeforeEach
    void create() {
        log.addHandler(recorder);
        cut = new HistoryWriter();
        cut.codec = codec;
        cut.settings = new HistorySettings();
        cut.settings.queue = "chat.history";
    }

    @AfterEach
    void stop() {
        log.removeHandler(recorder);
        cut.stop();
    }

    private byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private String text(LogRecord record) {
        return new java.util.logging.SimpleFormatter().formatMessage(record);
    }

    @Test
    void aMessageWithMalformedEventsKeepsTheGoodOnesAndLogsOneLineWithTheirCount() {
        HistoryEvent good = message(id(), "alice", "bob");
        HistoryEvent noRecipient = new HistoryEvent(HistoryEvent.DELIVERED, id(), null, "alice", "tenant", "bob",
                "hi", null, "2026-11-30T12:00:00Z", "2026-11-30T12:00:01Z");
        HistoryEvent noKind = new HistoryEvent(null, id(), "bob", "alice", "tenant", "bob", "hi", null,
                "2026-11-30T12:00:00Z", "2026-11-30T12:00:00Z");

        List<HistoryEvent> events = cut.decode(body(codec.toJson(List.of(noRecipient, good, noKind, noKind))));

        assertThat(events).containsExactly(good);
        assertThat(warnings).singleElement().extracting(this::text).asString()
                .contains("chat.history", "3 of 4 events", "without its recipient", noRecipient.messageId());
    }

    @Test
    void aMessageWithOnlyMalformedEventsIsOneLineThatSaysItIsDeadLettered() {
        HistoryEvent noMessageId = new HistoryEvent(HistoryEvent.READ, null, "bob", "alice", null, null, null, null,
                null, "2026-11-30T12:00:00Z");

        assertThat(cut.decode(body(codec.toJson(List.of(noMessageId, noMessageId))))).isEmpty();

        assertThat(warnings).singleElement().extracting(this::text).asString()
                .contains("2 of 2 events", "without its message id", "dead-letter");
    }

    @Test
    void aMessageThatIsNotJsonOfEventsIsOneLineThatSaysItIsDeadLettered() {
        assertThat(cut.decode(body("{\"event\": [1, 2"))).isEmpty();

        assertThat(warnings).singleElement().extracting(this::text).asString().contains("chat.history", "dead-letter");
    }

    @Test
    void goodEventsLogNothing() {
        HistoryEvent sent = message(id(), "alice", "bob");

        assertThat(cut.decode(body(codec.toJson(List.of(sent, delivered(sent, "bob")))))).hasSize(2);
        assertThat(cut.decode(body(codec.toJson(sent)))).as("one event, as an earlier feed sent it").containsExactly(sent);

        assertThat(warnings).isEmpty();
    }

    /**
     * Issue 21, part 4 (a): a tick (or {@link BrokerConnected}) found the channel closed before the
     * writer thread got the client library's news of its loss, and consumed on a new channel with
     * the old channel's batch still in hand. That batch was then acked by its tag on the new
     * channel: a tag the new channel never delivered closes it (PRECONDITION_FAILED), one it did
     * deliver acks a message nobody wrote. The broker requeued the old batch: it is dropped.
     */
    @Test
    void aBatchFromALostChannelIsNeverSettledOnTheChannelThatReplacedIt() throws Exception {
        FakeChannel lost = new FakeChannel();
        FakeChannel replacement = new FakeChannel();
        List<HistoryEvent> written = new CopyOnWriteArrayList<>();
        consumeFrom(lost, replacement, written);

        cut.onConnected(new BrokerConnected(false));
        await().until(lost::consuming);
        lost.deliver(body(codec.toJson(List.of(message(id(), "alice", "bob")))));
        lost.deliver(body(codec.toJson(List.of(message(id(), "alice", "bob")))));
        lost.close(); // closed now; the writer thread hears of it only after the next tick
        cut.onConnected(new BrokerConnected(true));
        await().until(replacement::consuming);
        lost.tellLost();
        cut.stop(); // writes the batch in hand, if any

        assertThat(replacement.closedBecause()).as("closed by the broker").isNull();
        assertThat(replacement.acked).as("acked on the replacement").isEmpty();
        assertThat(lost.acked).isEmpty();
        assertThat(written).as("written from a batch the broker requeued").isEmpty();
    }

    /**
     * A committed batch is acked once the store says it is in its files ({@link WrittenMark}): on
     * the embedded H2 that is up to half a second after the commit, and a process killed between
     * the two lost acked events for good.
     */
    @Test
    void aCommittedBatchIsAckedOnlyOnceTheStoreHasWrittenIt() throws Exception {
        FakeChannel channel = new FakeChannel();
        List<HistoryEvent> written = new CopyOnWriteArrayList<>();
        AtomicBoolean inTheFiles = new AtomicBoolean();
        consumeFrom(channel, new FakeChannel(), written, inTheFiles::get);
        cut.onConnected(new BrokerConnected(false));
        await().until(channel::consuming);

        int batch = HistoryWriter.PREFETCH / 2; // a batch is written once it holds as many broker messages
        for (int i = 0; i < batch; i++) {
            channel.deliver(body(codec.toJson(List.of(message(id(), "alice", "bob")))));
        }
        await().until(() -> written.size() == batch);
        // committed, not in the files: the writer looks again and again, and does not ack
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(channel.acked::isEmpty);
        inTheFiles.set(true);

        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.acked.isEmpty());
        assertThat(channel.acked).as("one ack, multiple, up to the batch's last tag").containsExactly((long) batch);
    }

    /**
     * A stop writes the batch in hand and gives the store a moment to write it, then acks it; the
     * wait does not hold the writer's thread, which owns the writer's timers (docs/design.md).
     */
    @Test
    void aStopWaitsForTheStoresWriteWithoutHoldingTheWritersThread() throws Exception {
        FakeChannel channel = new FakeChannel();
        List<HistoryEvent> written = new CopyOnWriteArrayList<>();
        AtomicBoolean inTheFiles = new AtomicBoolean();
        AtomicInteger looks = new AtomicInteger();
        consumeFrom(channel, new FakeChannel(), written, () -> {
            looks.incrementAndGet();
            return inTheFiles.get();
        });
        cut.onConnected(new BrokerConnected(false));
        await().until(channel::consuming);
        channel.deliver(body(codec.toJson(List.of(message(id(), "alice", "bob")))));

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(cut::stop);
        await().until(() -> written.size() == 1); // the stop wrote the batch in hand
        int seen = looks.get();
        await().until(() -> looks.get() > seen); // and waits for the store to write it
        CompletableFuture<Boolean> openWhenRun = new CompletableFuture<>();
        cut.onThread(() -> openWhenRun.complete(channel.channel.isOpen()));
        assertThat(openWhenRun.get(5, TimeUnit.SECONDS))
                .as("the writer's thread ran other work while the stop waited").isTrue();
        inTheFiles.set(true);

        stopped.get(5, TimeUnit.SECONDS);
        assertThat(channel.acked).as("acked once written").containsExactly(1L);
        assertThat(channel.channel.isOpen()).as("closed").isFalse();
    }

    /** The writer on fakes: a broker that opens the given channels in turn, a store that records what it is given. */
    private void consumeFrom(FakeChannel first, FakeChannel second, List<HistoryEvent> written) {
        consumeFrom(first, second, written, WrittenMark.WRITTEN);
    }

    /** The same, with the store's mark of each batch {@code mark}. */
    private void consumeFrom(FakeChannel first, FakeChannel second, List<HistoryEvent> written, WrittenMark mark) {
        cut.settings.embeddedPath = "target/history/unused";
        cut.settings.batchSize = 1000;
        cut.settings.batchWait = "1h"; // only the stop writes the batch: no timer races the test
        cut.settings.retryInterval = "1s";
        cut.settings.syncLimit = 200;
        cut.settings.retention = "0s";
        cut.settings.readsInFlight = 4;
        cut.settings.readsPerSecond = 10;
        cut.settings.readsBurst = 20;
        cut.settings.check();
        cut.metrics = new HistoryMetrics();
        Deque<Channel> channels = new ArrayDeque<>(List.of(first.channel, second.channel));
        cut.broker = new BrokerConnection() {
            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public synchronized Channel openChannel() {
                return channels.remove();
            }
        };
        cut.topology = new InboxTopology() {
            @Override
            public void declareHistoryQueue(Channel channel, String queue) {
            }
        };
        cut.store = new ConversationStore() {
            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public String describe() {
                return "fake store";
            }

            @Override
            public WrittenMark apply(List<HistoryEvent> events) {
                written.addAll(events);
                return mark;
            }
        };
    }
}
