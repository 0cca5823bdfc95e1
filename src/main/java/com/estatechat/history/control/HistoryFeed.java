package com.estatechat.history.control;

import com.estatechat.amqp.control.BrokerUnavailable;
import com.estatechat.amqp.control.InboxTopology;
import com.estatechat.amqp.control.OutgoingMessage;
import com.estatechat.amqp.control.Publisher;
import com.estatechat.json.JsonCodec;
import com.estatechat.concurrent.Coalescer;
import com.estatechat.concurrent.Workers;
import com.estatechat.history.entity.HistoryEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Hands events to the conversation store through the history queue, coalesced: events given while
 * earlier ones wait for the broker's confirm travel together, as one persistent message holding a
 * JSON array, so that under load a chat message costs the broker a fraction of a message for its
 * history instead of two. An event waits for nothing when the feed is idle (it goes out at once);
 * at most {@link #IN_FLIGHT} messages await their confirm, and one holds at most
 * {@link #MAX_EVENTS} events. Each caller's future completes when the broker has its event, so the
 * caller acks what the event stands for only after that.
 * <p>
 * Threads: the batch (a {@link Coalescer}) belongs to the one {@code chat-history-feed} thread; the
 * publish is the publisher lane's, and futures complete on it (callers continue on their own lanes).
 */
@ApplicationScoped
public class HistoryFeed {

    static final String KIND = "history";
    /** Messages of events awaiting their confirm: enough to keep the broker busy while the next batch fills. */
    static final int IN_FLIGHT = 2;
    /** Events in one message, at most (about 300 bytes each). */
    static final int MAX_EVENTS = 500;

    @Inject
    Publisher publisher;

    @Inject
    JsonCodec codec;

    private final ExecutorService thread = Executors.newSingleThreadExecutor(Workers.daemonThreads("chat-history-feed"));
    // the feed thread's own
    private final Coalescer<HistoryEvent> events = new Coalescer<>(thread, IN_FLIGHT, MAX_EVENTS, this::publish, () -> { });
    private int published;

    /**
     * @return completes when the broker stored the event; fails as {@link Publisher#publish} does
     *         (an {@link com.estatechat.amqp.control.UnknownRecipient} here means the history queue
     *         is not declared yet)
     */
    public CompletableFuture<Void> record(HistoryEvent event) {
        try {
            return CompletableFuture.supplyAsync(() -> events.add(event), thread).thenCompose(Function.identity());
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new BrokerUnavailable("the server is shutting down", e));
        }
    }

    private CompletableFuture<Void> publish(List<HistoryEvent> batch) {
        byte[] body = codec.toJson(batch).getBytes(StandardCharsets.UTF_8);
        // the events' order does not matter to the store: spread the batches over the publisher's lanes
        return publisher.publish(published++, OutgoingMessage.toUser(UUID.randomUUID().toString(), KIND,
                InboxTopology.HISTORY_KEY, body, Map.of()));
    }

    /** What waits unsent is refused: its callers tell their clients to send again. */
    @PreDestroy
    void stop() {
        try {
            thread.submit(() -> events.refuseGathered(new BrokerUnavailable("the server is shutting down"))).get();
        } catch (Exception e) {
            // interrupted or already stopped: nothing waits then
        }
        thread.shutdownNow();
    }
}
