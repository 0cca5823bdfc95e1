package com.estatechat.push.control;

import com.estatechat.amqp.control.BrokerConnected;
import com.estatechat.amqp.control.BrokerConnection;
import com.estatechat.amqp.control.InboxArgumentsMismatch;
import com.estatechat.amqp.control.InboxTopology;
import com.estatechat.amqp.control.OwnedConsumer;
import com.estatechat.concurrent.Workers;
import com.estatechat.history.control.StoreUnavailable;
import com.estatechat.history.entity.HistoryEvent;
import com.estatechat.identity.Broadcast;
import com.estatechat.json.JsonCodec;
import com.estatechat.logging.LogText;
import com.estatechat.settings.ChatSettings;
import com.rabbitmq.client.AMQP;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Pushes for users who are away. The broker keeps a copy of every history event for
 * {@code chat.push.delay} ({@link InboxTopology#declareDelayedCopy}); when it comes out in the due
 * queue, a direct message's event whose message is still queued in the store is pushed
 * ({@link PushMarks#claim}, then {@link Webhook#send}). The due message is acked once each of its
 * pushes was taken or dead-lettered, so a node that stops before leaves it to another.
 * <p>
 * Threads: the client library's consumer thread only hands a delivery over; the channel, the store
 * and the acks belong to the one {@code chat-push} thread, which owns no timer ({@code chat-push-timer}
 * hands it its checks and retries); the calls run on the HTTP client's.
 */
@ApplicationScoped
public class PushDispatcher {

    private static final Logger LOG = Logger.getLogger(PushDispatcher.class.getName());

    /** Due messages held at once: each may wait for its webhook calls and their retries. */
    static final int PREFETCH = 20;
    /** How long a due event may wait for a node that pushes: later, a push is noise. */
    static final Duration DUE_TTL = Duration.ofHours(1);
    static final Duration RETRY = Duration.ofSeconds(5);
    /** How soon a message the store has not written yet is looked for again. */
    static final Duration RETRY_SOON = Duration.ofMillis(500);
    /** How long after its delay a message the store has not written is waited for; later, it is not pushed. */
    static final Duration WRITER_GRACE = Duration.ofMinutes(2);
    static final String REASON_HEADER = "x-estate-chat-reason";

    @Inject
    PushSettings settings;

    @Inject
    ChatSettings chatSettings;

    @Inject
    BrokerConnection broker;

    @Inject
    InboxTopology topology;

    @Inject
    PushMarks marks;

    @Inject
    Webhook webhook;

    @Inject
    JsonCodec codec;

    @Inject
    PushMetrics metrics;

    /** The channel, the store and the webhook's answers: blocks on each, so it owns no timer. */
    private final ExecutorService thread = Executors.newSingleThreadExecutor(Workers.daemonThreads("chat-push"));
    /** The timers: it only hands their work to {@link #thread}. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Workers.daemonThreads("chat-push-timer"));

    // the push thread's own
    private volatile Channel channel;
    private boolean queuesDeclared;
    private volatile String lastProblem;
    private final AtomicBoolean tickWaiting = new AtomicBoolean();

    @PostConstruct
    void startTicking() {
        if (settings.enabled()) {
            long every = RETRY.toMillis();
            timer.scheduleWithFixedDelay(this::tick, 0, every, TimeUnit.MILLISECONDS);
        }
    }

    void onConnected(@Observes BrokerConnected connected) {
        if (settings.enabled()) {
            onThread(() -> {
                queuesDeclared = false;
                ensureConsuming();
            });
        }
    }

    /** Whether this node consumes the due queue now. */
    public boolean isConsuming() {
        Channel current = channel;
        return current != null && current.isOpen();
    }

    /** Why this node does not consume the due queue, or null. */
    public String lastProblem() {
        return lastProblem;
    }

    private void ensureConsuming() {
        if (channel != null && channel.isOpen() || !broker.isOpen()) {
            return;
        }
        if (!broker.features().rabbitQueueArguments()) {
            lastProblem = "the broker " + broker.features() + " cannot delay messages (no x-message-ttl)";
            return;
        }
        if (channel != null) {
            lost(channel);
        }
        Channel opened = null;
        try {
            opened = broker.openChannel();
            if (!queuesDeclared) {
                try {
                    topology.declareDelayedCopy(opened, settings.delayQueue(), settings.delay(), settings.dueQueue(),
                            DUE_TTL);
                } catch (InboxArgumentsMismatch e) {
                    abort(opened);
                    LOG.warning(() -> "Push: " + e.getMessage() + "; used as they are (delete both queues to change"
                            + " the delay)");
                    opened = broker.openChannel();
                    topology.useExistingDelayedCopy(opened, settings.delayQueue(), settings.dueQueue());
                }
                queuesDeclared = true;
            }
            opened.basicQos(PREFETCH);
            opened.confirmSelect(); // a dead letter is confirmed before its due message is acked
            Channel consuming = opened;
            OwnedConsumer.start(consuming, settings.dueQueue(), "chat-push", this::onThread, new OwnedConsumer.Owner() {
                @Override
                public void delivered(Channel from, long tag, byte[] body) {
                    take(from, tag, body);
                }

                @Override
                public void cancelled(Channel from) {
                    queuesDeclared = false;
                    lost(from);
                }

                @Override
                public void lost(Channel from) {
                    PushDispatcher.this.lost(from);
                }
            });
            channel = consuming;
            lastProblem = null;
            LOG.info(() -> "Push: consuming " + settings.dueQueue() + " (events held " + settings.delay() + " in "
                    + settings.delayQueue() + ") for " + settings.webhook().getHost());
        } catch (IOException | RuntimeException | LinkageError e) {
            abort(opened);
            String problem = "cannot consume " + settings.dueQueue() + ": " + e;
            if (!problem.equals(lastProblem)) {
                LOG.log(Level.WARNING, "Push: " + problem + "; trying again every " + RETRY.toMillis() + " ms");
            }
            lastProblem = problem;
        }
    }

    /** One due message: its direct messages' events, each pushed when still queued. */
    private void take(Channel from, long tag, byte[] body) {
        if (from != channel) {
            return; // of a channel that is gone: the broker requeued it
        }
        List<HistoryEvent> events;
        try {
            String text = new String(body, StandardCharsets.UTF_8).strip();
            events = Arrays.asList(text.startsWith("[") ? codec.fromJson(text, HistoryEvent[].class)
                    : new HistoryEvent[] {codec.fromJson(text, HistoryEvent.class)});
        } catch (RuntimeException e) {
            // the history writer says the same of its copy; this one is of no use
            LOG.fine(() -> "Push: a due message of " + body.length + " bytes is not JSON of history events; dropped");
            settle(from, tag, false);
            return;
        }
        process(from, events).whenComplete((done, failure) -> onThread(() -> settle(from, tag, true)));
    }

    /**
     * Claims and sends the pushes of {@code events}; completes when each was taken or
     * dead-lettered. What cannot be decided yet (the store is away, or has not written the message:
     * the history writer lags, as after a restart) is tried again in {@link #RETRY_SOON}, for a
     * message until {@link #WRITER_GRACE} after it was due.
     */
    private CompletableFuture<Void> process(Channel from, List<HistoryEvent> events) {
        if (from != channel) {
            return CompletableFuture.completedFuture(null); // the broker offers the message again on the new one
        }
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        List<HistoryEvent> later = new ArrayList<>();
        StoreUnavailable storeAway = null;
        for (HistoryEvent event : events) {
            if (!pushable(event)) {
                continue;
            }
            if (storeAway != null) {
                later.add(event);
                continue;
            }
            try {
                PushMarks.Claim claim = marks.claim(event.recipientId(), event.messageId(), settings.previewChars());
                claim.pushed().ifPresent(push -> calls.add(send(from, push)));
                if (claim.notWritten() && !tooLate(event)) {
                    later.add(event);
                }
            } catch (StoreUnavailable e) {
                storeAway = e;
                later.add(event);
            }
        }
        if (storeAway != null) {
            StoreUnavailable e = storeAway;
            LOG.log(Level.WARNING, e, () -> "Push: " + e.getMessage() + "; " + later.size()
                    + " due messages are tried again in " + RETRY.toMillis() + " ms");
        }
        if (!later.isEmpty()) {
            CompletableFuture<Void> retried = new CompletableFuture<>();
            schedule(() -> process(from, later).whenComplete((done, failure) -> retried.complete(null)),
                    storeAway != null ? RETRY : RETRY_SOON, retried);
            calls.add(retried);
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }

    private boolean tooLate(HistoryEvent event) {
        try {
            return Instant.parse(event.at()).plus(settings.delay()).plus(WRITER_GRACE).isBefore(Instant.now());
        } catch (RuntimeException e) {
            return true;
        }
    }

    private CompletableFuture<Void> send(Channel from, Push push) {
        byte[] json = codec.toJson(push).getBytes(StandardCharsets.UTF_8);
        return webhook.send(json).thenAccept(outcome -> {
            if (!outcome.taken()) {
                onThread(() -> deadLetter(from, push, json, outcome.reason()));
            }
        });
    }

    /** A direct message accepted by the broker (a broadcast reaches its recipients later, as deliveries). */
    private static boolean pushable(HistoryEvent event) {
        return event != null && HistoryEvent.MESSAGE.equals(event.event()) && event.messageId() != null
                && event.recipientId() != null && !Broadcast.isBroadcast(event.recipientId())
                && !event.recipientId().equals(event.senderId());
    }

    /** The push's body to the dead-letter exchange, with why: the operator may replay it. */
    private void deadLetter(Channel from, Push push, byte[] json, String reason) {
        metrics.deadLettered();
        LOG.warning(() -> "Push for " + LogText.of(push.userId()) + " (message " + push.messageId() + ") given up: "
                + reason + "; its body goes to " + chatSettings.deadLetterExchange());
        try {
            from.basicPublish(chatSettings.deadLetterExchange(), settings.dueQueue(),
                    new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2)
                            .headers(Map.of(REASON_HEADER, "push failed: " + reason)).build(),
                    json);
            from.waitForConfirmsOrDie(chatSettings.confirmTimeout().toMillis());
        } catch (IOException | RuntimeException | InterruptedException | TimeoutException e) {
            // the due message is acked all the same: sending the push again would break at-most-once
            LOG.log(Level.WARNING, e, () -> "Push: the dead letter for " + LogText.of(push.userId()) + " was not stored");
        }
    }

    private void settle(Channel from, long tag, boolean ack) {
        if (from != channel) {
            return;
        }
        try {
            if (ack) {
                from.basicAck(tag, false);
            } else {
                from.basicReject(tag, false);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "Push: settling a due message failed; the broker offers it again", e);
        }
    }

    /**
     * The channel went: what it held unacked is requeued by the broker, and its pushes still under
     * way find their marks moved when it comes again. Aborted, so that the client library's
     * recovery does not bring it back beside the next one (its deliveries would never be settled).
     */
    private void lost(Channel gone) {
        if (gone != channel) {
            return;
        }
        channel = null;
        abort(gone);
    }

    private static void abort(Channel channel) {
        if (channel != null) {
            try {
                channel.abort();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "Push: aborting a channel failed", e);
            }
        }
    }

    /** On the timer: one check at a time waits for the push thread, however long it is busy. */
    private void tick() {
        if (tickWaiting.compareAndSet(false, true) && !onThread(() -> {
            tickWaiting.set(false);
            ensureConsuming();
        })) {
            tickWaiting.set(false);
        }
    }

    private void schedule(Runnable task, Duration after, CompletableFuture<Void> givenUp) {
        try {
            timer.schedule(() -> {
                if (!onThread(task)) {
                    givenUp.complete(null);
                }
            }, after.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopping: the channel closes first, so the settle that follows does nothing
            givenUp.complete(null);
        }
    }

    /** @return false when stopping: what was not acked is requeued when the channel closes */
    private boolean onThread(Runnable task) {
        try {
            thread.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
        if (!settings.enabled()) {
            thread.shutdownNow(); // it never ran: no thread to start for nothing
            return;
        }
        try {
            thread.submit(() -> {
                Channel current = channel;
                channel = null;
                if (current != null && current.isOpen()) {
                    try {
                        current.close();
                    } catch (IOException | RuntimeException | TimeoutException e) {
                        abort(current);
                    }
                }
            }).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(Level.FINE, "Push: stopping", e);
        }
        thread.shutdownNow();
    }
}
