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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HistoryFeedTest {

    /** Confirms each publish at once until it stops, then fails what comes, as the real one does at shutdown. */
    private static final class StoppingPublisher extends Publisher {
        private volatile boolean stopped;

        @Override
        public CompletableFuture<Void> publish(int orderKey, OutgoingMessage message) {
            if (stopped) {
                return CompletableFuture.failedFuture(new BrokerUnavailable("the server is shutting down"));
            }
            return CompletableFuture.completedFuture(null);
        }

        void stopTakingSends() {
            stopped = true;
        }
    }

    /** Events a lane has given and not yet seen answered, at most, as a user's lane is bounded. */
    private static final int OPEN_PER_LANE = 1_000;

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
        AtomicInteger recorded = new AtomicInteger();
        AtomicInteger unanswered = new AtomicInteger();
        Runnable lane = () -> {
            // records until the feed refuses at once (stopped); an event never answered keeps its
            // permit, so a lane whose events go unanswered runs out and stops waiting after 5 s
            Semaphore open = new Semaphore(OPEN_PER_LANE);
            try {
                while (open.tryAcquire(5, TimeUnit.SECONDS)) {
                    unanswered.incrementAndGet();
                    recorded.incrementAndGet();
                    CompletableFuture<Void> event = cut.record(message(id(), "alice", "bob"));
                    boolean refusedAtOnce = event.isCompletedExceptionally();
                    event.whenComplete((ok, failure) -> {
                        unanswered.decrementAndGet();
                        open.release();
                    });
                    if (refusedAtOnce) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        CompletableFuture<Void> lanes = CompletableFuture.allOf(CompletableFuture.runAsync(lane),
                CompletableFuture.runAsync(lane));
        await().until(() -> recorded.get() > 1_000);

        publisher.stopTakingSends();
        cut.stop();
        lanes.get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(unanswered.get()).as("events never answered").isZero());
    }
}
