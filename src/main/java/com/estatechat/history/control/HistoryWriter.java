package com.estatechat.history.control;

import com.estatechat.amqp.control.BrokerConnected;
import com.estatechat.amqp.control.BrokerConnection;
import com.estatechat.amqp.control.InboxArgumentsMismatch;
import com.estatechat.amqp.control.InboxTopology;
import com.estatechat.amqp.control.OwnedConsumer;
import com.estatechat.json.JsonCodec;
import com.estatechat.concurrent.Workers;
import com.estatechat.history.entity.HistoryEvent;
import com.rabbitmq.client.Channel;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Feeds the conversation store from the history queue, in batches, with manual acks once the
 * commit is written: a batch is applied in one transaction, then acked with one {@code basic.ack
 * multiple=true} when the database has it in its files ({@link WrittenMark}: at once on
 * PostgreSQL, within half a second on the embedded H2), the next batches written meanwhile. When
 * the database fails, the same batch is tried again every {@code chat.history.retry-interval}
 * while its deliveries stay unacked (the prefetch stops the flow); when the channel goes, the
 * broker requeues them and they come again, which changes nothing already applied (every event is
 * idempotent). Several nodes consume the same queue.
 * <p>
 * Threads: the client library's consumer thread only hands a delivery over; everything else (the
 * channel, the batch, the database) belongs to the one {@code chat-history-writer} thread.
 */
@ApplicationScoped
public class HistoryWriter {

    private static final Logger LOG = Logger.getLogger(HistoryWriter.class.getName());

    @Inject
    BrokerConnection broker;

    @Inject
    InboxTopology topology;

    @Inject
    ConversationStore store;

    @Inject
    HistorySettings settings;

    @Inject
    JsonCodec codec;

    @Inject
    HistoryMetrics metrics;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Workers.daemonThreads("chat-history-writer"));
    private final AtomicLong applied = new AtomicLong();
    /**
     * Messages held unacked: each holds up to {@link HistoryFeed#MAX_EVENTS} events. A batch is
     * written once it holds half of them, so that the broker goes on delivering while it is
     * written; waiting for {@code chat.history.batch-wait} with the whole window held capped the
     * writer at the window per wait (the lag grew at 500 chat messages a second).
     */
    static final int PREFETCH = 100;

    // the writer thread's own
    private volatile Channel channel;
    private final List<HistoryEvent> batch = new ArrayList<>();
    /** Where the batch came from: its tags mean something on that channel only. */
    private Channel batchFrom;
    private int messagesInBatch;
    private long lastTag = -1;
    private ScheduledFuture<?> flushDue;
    /** Batches committed and not acked yet, oldest first: each is acked once its mark is written. */
    private final Deque<Unwritten> unwritten = new ArrayDeque<>();
    private ScheduledFuture<?> writtenCheck;
    private boolean queueDeclared;
    private String lastProblem;
    /** Set by the stop: nothing more is taken or consumed (the close requeues what comes meanwhile). */
    private boolean stopping;

    /** A committed batch: its deliveries (up to {@code lastTag} on {@code from}) and its store's mark. */
    private record Unwritten(Channel from, long lastTag, WrittenMark mark) {
    }

    /** How often a committed batch's mark is looked at: H2 looks for changes to write as often. */
    private static final long WRITTEN_CHECK_MILLIS = 50;
    /** How long a stop waits for the store to write its last batches (H2 does within half a second). */
    private static final Duration STOP_WAIT = Duration.ofSeconds(1);

    @PostConstruct
    void startTicking() {
        long every = settings.retryInterval().toMillis();
        thread.scheduleWithFixedDelay(this::ensureConsuming, every, every, TimeUnit.MILLISECONDS);
    }

    /** A new or recovered broker connection: the queue may be gone with the broker's data. */
    void onConnected(@Observes BrokerConnected connected) {
        onThread(() -> {
            queueDeclared = false;
            ensureConsuming();
        });
    }

    /** The store opened after the broker connected: start consuming now rather than at the next tick. */
    void onStoreOpened(@Observes StoreOpened opened) {
        onThread(this::ensureConsuming);
    }

    /** How many events this node has applied to the store since it started (for tests and metrics). */
    public long applied() {
        return applied.get();
    }

    /** Whether this node consumes the history queue now. */
    public boolean isConsuming() {
        Channel current = channel;
        return current != null && current.isOpen();
    }

    private void ensureConsuming() {
        if (stopping || channel != null && channel.isOpen() || !broker.isOpen()) {
            return;
        }
        if (channel != null) {
            // closed, and its loss not handed over yet: its batch must not wait for the new channel
            lost(channel);
        }
        Channel opened = null;
        try {
            opened = broker.openChannel();
            if (!queueDeclared) {
                // declared even while the store is away, so that events wait in it instead of coming back
                try {
                    topology.declareHistoryQueue(opened, settings.queue());
                } catch (InboxArgumentsMismatch e) {
                    abort(opened); // closed by the broker: aborted, so that recovery forgets it
                    opened = broker.openChannel();
                    topology.useExistingHistoryQueue(opened, settings.queue());
                }
                queueDeclared = true;
            }
            if (!store.isReady()) {
                opened.close();
                return;
            }
            opened.basicQos(PREFETCH);
            Channel consuming = opened;
            OwnedConsumer.start(consuming, settings.queue(), "chat-history-writer", this::onThread, new OwnedConsumer.Owner() {
                @Override
                public void delivered(Channel from, long tag, byte[] body) {
                    take(from, tag, body);
                }

                @Override
                public void cancelled(Channel from) {
                    // the queue was deleted: declare it again and consume on the next tick
                    queueDeclared = false;
                    lost(from);
                }

                @Override
                public void lost(Channel from) {
                    HistoryWriter.this.lost(from);
                }
            });
            channel = consuming;
            lastProblem = null;
            LOG.info(() -> "Consuming history queue " + settings.queue() + " into the " + store.describe());
        } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException | LinkageError e) {
            // a LinkageError too: an exception out of a scheduled tick would end the ticks for good
            abort(opened);
            String problem = "cannot consume history queue " + settings.queue() + ": " + e;
            if (!problem.equals(lastProblem)) {
                LOG.log(Level.WARNING, problem + "; trying again every " + settings.retryInterval().toMillis() + " ms");
                lastProblem = problem;
            }
        }
    }

    private void take(Channel from, long tag, byte[] body) {
        if (from != channel || stopping) {
            return; // of a channel that is gone, or that the stop closes: the broker requeues it
        }
        List<HistoryEvent> events = decode(body);
        if (events.isEmpty()) {
            reject(from, tag); // decode said why
            return;
        }
        batch.addAll(events);
        batchFrom = from;
        messagesInBatch++;
        lastTag = tag;
        if (batch.size() >= settings.batchSize() || messagesInBatch >= PREFETCH / 2) {
            flush();
        } else if (flushDue == null) {
            flushDue = thread.schedule(this::flush, settings.batchWait().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The events of one message: a JSON array of them (the feed coalesces), or one event (as a
     * feed of an earlier version sent). An event without its kind, message or recipient is left
     * out; what is not JSON of either shape gives none. What was left out is one warning per
     * message, with how many and the first one's reason: a line per event flooded the log (the
     * feed puts up to {@link HistoryFeed#MAX_EVENTS} in a message). None left means the message
     * is dead-lettered, which the same line says.
     */
    List<HistoryEvent> decode(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        HistoryEvent[] decoded;
        try {
            decoded = text.startsWith("[") ? codec.fromJson(text, HistoryEvent[].class)
                    : new HistoryEvent[] {codec.fromJson(text, HistoryEvent.class)};
        } catch (RuntimeException e) {
            LOG.warning(() -> "History queue " + settings.queue() + ": a message of " + body.length
                    + " bytes is not JSON of history events (" + e.getMessage()
                    + "); it goes to the dead-letter exchange");
            return List.of();
        }
        List<HistoryEvent> events = new ArrayList<>(decoded.length);
        String firstProblem = null;
        for (HistoryEvent event : decoded) {
            String problem = problem(event);
            if (problem == null) {
                events.add(event);
            } else if (firstProblem == null) {
                firstProblem = problem;
            }
        }
        int leftOut = decoded.length - events.size();
        if (decoded.length == 0) {
            LOG.warning(() -> "History queue " + settings.queue() + ": a message of " + body.length
                    + " bytes holds no history event; it goes to the dead-letter exchange");
        } else if (leftOut > 0) {
            String example = firstProblem;
            LOG.warning(() -> "History queue " + settings.queue() + ": " + leftOut + " of " + decoded.length
                    + " events in a message were left out (the first: " + example + ")"
                    + (events.isEmpty() ? "; it goes to the dead-letter exchange" : ""));
        }
        return events;
    }

    /** Why the writer cannot apply this event, or null when it can. */
    private static String problem(HistoryEvent event) {
        if (event == null) {
            return "null instead of an event";
        }
        String which = event.messageId() == null ? "" : " (message " + event.messageId() + ")";
        if (event.event() == null) {
            return "an event without its kind" + which;
        }
        if (event.messageId() == null) {
            return "an event without its message id";
        }
        if (event.recipientId() == null) {
            return "an event without its recipient" + which;
        }
        return null;
    }

    private void flush() {
        if (flushDue != null) {
            flushDue.cancel(false);
            flushDue = null;
        }
        if (batch.isEmpty()) {
            return;
        }
        if (batchFrom != channel) {
            dropBatch(); // its channel is gone: the broker requeued it
            return;
        }
        WrittenMark mark;
        try {
            mark = store.apply(batch);
        } catch (StoreUnavailable e) {
            LOG.log(Level.WARNING, e, () -> "History: " + e.getMessage() + "; the batch stays unacked and is tried"
                    + " again in " + settings.retryInterval().toMillis() + " ms");
            flushDue = thread.schedule(this::flush, settings.retryInterval().toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        applied.addAndGet(batch.size());
        Instant now = Instant.now();
        for (HistoryEvent event : batch) {
            metrics.written(lag(event, now));
        }
        unwritten.add(new Unwritten(batchFrom, lastTag, mark));
        dropBatch();
        ackWritten();
    }

    /**
     * Acks the committed batches whose marks are written, oldest first (one {@code basic.ack
     * multiple=true} up to the newest of them), and looks again soon while any is not. Those of a
     * channel that is gone are forgotten: the broker requeued them.
     */
    private void ackWritten() {
        if (writtenCheck != null) {
            writtenCheck.cancel(false);
            writtenCheck = null;
        }
        Unwritten newest = null;
        while (!unwritten.isEmpty() && (unwritten.peek().from() != channel || unwritten.peek().mark().isWritten())) {
            Unwritten next = unwritten.poll();
            if (next.from() == channel) {
                newest = next;
            }
        }
        if (newest != null) {
            try {
                newest.from().basicAck(newest.lastTag(), true);
            } catch (IOException | RuntimeException e) {
                // the channel went: the broker requeues the batches, which come again and change nothing
                LOG.log(Level.FINE, "History: the ack of committed batches failed", e);
            }
        }
        if (!unwritten.isEmpty() && !stopping) { // stopping: closeWhenWritten does the looking
            try {
                writtenCheck = thread.schedule(this::ackWritten, WRITTEN_CHECK_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopping: the channel closes and the broker requeues them
            }
        }
    }

    private void dropBatch() {
        batch.clear();
        batchFrom = null;
        messagesInBatch = 0;
    }

    private static Duration lag(HistoryEvent event, Instant now) {
        try {
            Duration lag = Duration.between(Instant.parse(event.at()), now);
            return lag.isNegative() ? Duration.ZERO : lag;
        } catch (RuntimeException e) {
            return Duration.ZERO;
        }
    }

    private void reject(Channel from, long tag) {
        try {
            from.basicReject(tag, false);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "History: rejecting an unreadable event failed", e);
        }
    }

    /** The channel went: what it delivered is requeued by the broker; consume again on the next tick. */
    private void lost(Channel gone) {
        if (gone != channel) {
            return;
        }
        channel = null;
        dropBatch();
        unwritten.clear();
        if (flushDue != null) {
            flushDue.cancel(false);
            flushDue = null;
        }
        abort(gone); // the client library's recovery must not bring it back beside a new one
    }

    private static void abort(Channel channel) {
        if (channel != null) {
            try {
                channel.abort();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "History: aborting a channel failed", e);
            }
        }
    }

    void onThread(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            // stopping: what was not acked is requeued when the channel closes
        }
    }

    /**
     * Writes the batch in hand, acks what the store wrote (giving it a moment), then closes the
     * channel (the broker requeues anything unacked). The writer's thread never blocks for it: it
     * looks at the marks as it always does, and this waits for it to be done.
     */
    @PreDestroy
    void stop() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                stopping = true;
                flush();
                closeWhenWritten(System.nanoTime() + STOP_WAIT.toNanos(), closed);
            });
            closed.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "History: stopping the writer", e);
        }
        thread.shutdownNow();
    }

    /** Acks what is written, looking again until all is or the deadline passed, then closes the channel. */
    private void closeWhenWritten(long deadline, CompletableFuture<Void> closed) {
        try {
            ackWritten();
            if (!unwritten.isEmpty() && System.nanoTime() - deadline < 0) {
                thread.schedule(() -> closeWhenWritten(deadline, closed), WRITTEN_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
            if (channel != null && channel.isOpen()) {
                try {
                    channel.close();
                } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException e) {
                    abort(channel);
                }
            }
            channel = null;
            closed.complete(null);
        } catch (RuntimeException e) {
            closed.completeExceptionally(e);
        }
    }
}
