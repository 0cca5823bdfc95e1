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

/**
 * Hands events to the conversation store through the history queue, coalesced: events given while
 * earlier ones wait for the broker's confirm travel together, as one persistent message holding a
 * JSON array, so that under load a chat message costs the broker a fraction of a message for its
 * history instead of two. An event waits for nothing when the feed is idle (it goes out at once);
 * while {@link #IN_FLIGHT} messages await their confirm, events gather, and a message holds at
 * most {@link #MAX_EVENTS} of them: a full one goes at once, so under a slow broker what waits is
 * held to the publisher's bounds, not to {@link #IN_FLIGHT}. Each caller's future completes when
 * the broker has its event, so the caller acks what the event stands for only after that.
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
    /** Set by the stop, after what gathered was refused: what comes later is refused at once. */
    private boolean stopped;

    /** An event on its way to the feed thread: answered, never forgotten, when the feed stops first. */
    private final class Recording implements Runnable {
        private final HistoryEvent event;
        private final CompletableFuture<Void> done = new CompletableFuture<>();

        Recording(HistoryEvent event) {
            this.event = event;
        }

        @Override
        public void run() {
            if (stopped) {
                done.completeExceptionally(shuttingDown(null));
                return;
            }
            events.add(event).whenComplete((ok, failure) -> {
                if (failure == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(failure);
                }
            });
        }
    }

    /**
     * @return completes when the broker stored the event; fails as {@link Publisher#publish} does
     *         (an {@link com.estatechat.amqp.control.UnknownRecipient} here means the history queue
     *         is not declared yet)
     */
    public CompletableFuture<Void> record(HistoryEvent event) {
        Recording recording = new Recording(event);
        try {
            thread.execute(recording);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(shuttingDown(e));
        }
        return recording.done;
    }

    private CompletableFuture<Void> publish(List<HistoryEvent> batch) {
        byte[] body = codec.toJson(batch).getBytes(StandardCharsets.UTF_8);
        // the events' order does not matter to the store: spread the batches over the publisher's lanes
        return publisher.publish(published++, OutgoingMessage.toUser(UUID.randomUUID().toString(), KIND,
                InboxTopology.HISTORY_KEY, body, Map.of()));
    }

    private static BrokerUnavailable shuttingDown(Throwable cause) {
        return new BrokerUnavailable("the server is shutting down", cause);
    }

    /**
     * What waits unsent is refused, and so is what comes while the feed stops: its callers tell
     * their clients to send again.
     */
    @PreDestroy
    void stop() {
        try {
            thread.submit(() -> {
                stopped = true;
                events.refuseGathered(shuttingDown(null));
            }).get();
        } catch (Exception e) {
            // interrupted or already stopped: nothing waits then
        }
        for (Runnable never : thread.shutdownNow()) {
            if (never instanceof Recording recording) {
                recording.done.completeExceptionally(shuttingDown(null));
            }
        }
    }
}
