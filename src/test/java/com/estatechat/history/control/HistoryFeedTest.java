package com.estatechat.history.control;

import static com.estatechat.history.control.TestStores.id;
import static com.estatechat.history.control.TestStores.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.amqp.control.BrokerUnavailable;
import com.estatechat.amqp.control.OutgoingMessage;
import com.estatechat.amqp.control.Publisher;
import com.estatechat.json.JsonCodec;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HistoryFeedTest {

    /** Holds every publish unconfirmed until it stops, as the real one does at shutdown, then fails them. */
    private static final class StoppingPublisher extends Publisher {
        private final List<CompletableFuture<Void>> held = new CopyOnWriteArrayList<>();
        private volatile boolean stopped;

        @Override
        public CompletableFuture<Void> publish(int orderKey, OutgoingMessage message) {
            if (stopped) {
                return CompletableFuture.failedFuture(new BrokerUnavailable("the server is shutting down"));
            }
            CompletableFuture<Void> confirm = new CompletableFuture<>();
            held.add(confirm);
            return confirm;
        }

        void stopTakingSends() {
            stopped = true;
            held.forEach(confirm -> confirm.completeExceptionally(new BrokerUnavailable("stopped")));
        }
    }

    /**
     * At shutdown the publisher stops first (it fails what it holds), then the feed. Events given to
     * the feed while it stops, by users' lanes still at work, are each answered (so their callers
     * tell their clients to send again), never left open.
     */
    @Test
    void everyEventRecordedWhileTheFeedStopsIsAnswered() throws Exception {
        StoppingPublisher publisher = new StoppingPublisher();
        HistoryFeed cut = new HistoryFeed();
        cut.publisher = publisher;
        cut.codec = new JsonCodec();
        Queue<CompletableFuture<Void>> recorded = new ConcurrentLinkedQueue<>();
        Runnable lane = () -> {
            // a lane records until the feed refuses at once (stopped)
            CompletableFuture<Void> last;
            do {
                last = cut.record(message(id(), "alice", "bob"));
                recorded.add(last);
            } while (!last.isCompletedExceptionally());
        };
        CompletableFuture<Void> lanes = CompletableFuture.allOf(CompletableFuture.runAsync(lane),
                CompletableFuture.runAsync(lane));
        await().until(() -> recorded.size() > 1_000);

        publisher.stopTakingSends();
        cut.stop();
        lanes.get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                recorded.stream().filter(future -> !future.isDone()).count()).as("events never answered").isZero());
    }
}
