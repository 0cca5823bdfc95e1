package com.estatechat.amqp.control;

import com.estatechat.concurrent.Workers;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One publishing channel with its own thread, in confirm mode. Publishes never wait for their
 * confirm: each is tracked by its sequence number and its future completes when the broker acks
 * (stored), nacks (refused) or returns it (no inbox), or when the channel is lost. Messages given
 * to one lane reach the broker in the order they were given. The client library tells confirms,
 * returns and shutdowns on its connection thread: they are handed to the lane's thread, in the
 * order told, and futures complete there (callers continue on their own lanes).
 * <p>
 * The time budget of a send: at most the confirm timeout waiting in the lane, unwritten; past it,
 * or at once while the broker blocks publishing (a resource alarm) or the lane holds its bound, it
 * is refused as not sent (true: the broker never had it). Once written it waits for its confirm
 * however long that takes (an alarm holds confirms back for as long as it lasts): no timer turns a
 * message the broker may store into a refusal. The sweep of the unwritten runs on a timer thread
 * shared by the lanes, never on the lane's own, whose write may block while the broker does not read.
 * <p>
 * At most {@link #MAX_IN_FLIGHT} messages wait for their confirm; the others wait in the lane,
 * unpublished, at most {@link #MAX_ADMITTED} and {@link #MAX_ADMITTED_BYTES} in all.
 */
final class PublisherLane {

    private static final Logger LOG = Logger.getLogger(PublisherLane.class.getName());

    private final String name;
    private final BrokerConnection broker;
    private final InboxTopology topology;
    private final Supplier<String> exchange;
    private final Duration confirmTimeout;
    /**
     * Unconfirmed publishes per lane: enough to keep the broker busy (a batch of confirms covers
     * many), few enough that the last of them is confirmed well within the timeout even when the
     * broker is saturated (2 lanes × 128 at the ~200 persistent messages a second of a broker
     * holding thousands of queues here: about 1.3 s).
     */
    static final int MAX_IN_FLIGHT = 128;
    /**
     * Messages a lane holds, written or not: a send past it is refused at once. At the ~1,000
     * messages a second this machine's broker takes on one lane, a full lane is about two seconds
     * of work, well inside the confirm timeout; more would only wait to be refused by it.
     */
    static final int MAX_ADMITTED = 2_048;
    /** The bytes of the messages a lane holds: 2,048 messages at the largest size would be 512 MB. */
    static final long MAX_ADMITTED_BYTES = 16L << 20;
    static final long SWEEP_MILLIS = 200;
    /**
     * On a message written again after its channel was lost before the confirm: the broker may have
     * stored the first copy too, so the consumer marks a delivery of it {@code redelivered}.
     */
    public static final String HEADER_REPUBLISHED = "republished";
    /**
     * Channels a message may lose before its confirm: a connection drop costs one; a message that
     * closes each channel it is written on would otherwise go round for ever.
     */
    static final int MAX_LOSSES = 3;

    private final ExecutorService thread;
    /** Offered by callers, taken by the lane; the oldest first. A message is taken once: see {@link Pending#claim()}. */
    private final Queue<Pending> waiting = new ConcurrentLinkedQueue<>();
    /** The messages the lane holds, and their bytes: taken by callers, given back by whoever answers them. */
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicLong admittedBytes = new AtomicLong();
    private final ScheduledFuture<?> sweep;
    private volatile boolean closing;
    // touched on the lane's thread only
    private final NavigableMap<Long, Pending> outstanding = new TreeMap<>();
    private final Map<String, Pending> outstandingById = new HashMap<>();
    private Channel channel;
    /**
     * Written on a channel that was lost before their confirm: the broker may hold them or not. They
     * are written again first, flagged {@link #HEADER_REPUBLISHED}, and answered by the new
     * channel's confirm; never refused while the server runs, since they may be stored already.
     */
    private final Deque<Pending> unsettled = new ArrayDeque<>();
    /** Completed once nothing waits and no confirm is due, when close() asked for it. */
    private CompletableFuture<Void> drained;

    private static final class Pending {
        final OutgoingMessage message;
        final CompletableFuture<Void> result;
        final long queuedAt = System.nanoTime();
        private final AtomicBoolean claimed = new AtomicBoolean();
        boolean returned;
        /** Written before on a channel that was lost: it goes again with {@link #HEADER_REPUBLISHED}. */
        boolean republished;
        /** Channels lost while it waited for its confirm. */
        int losses;
        Throwable writeFailure;

        Pending(OutgoingMessage message, CompletableFuture<Void> result) {
            this.message = message;
            this.result = result;
        }

        /** The lane (to write it or refuse it) and the sweep (to refuse it) race for it: one wins. */
        boolean claim() {
            return claimed.compareAndSet(false, true);
        }
    }

    /**
     * @param timer a thread shared by the lanes that only refuses what waited too long; it never
     *        runs a lane's work
     */
    PublisherLane(String name, BrokerConnection broker, InboxTopology topology, Supplier<String> exchange,
            Duration confirmTimeout, ScheduledExecutorService timer) {
        this.name = name;
        this.broker = broker;
        this.topology = topology;
        this.exchange = exchange;
        this.confirmTimeout = confirmTimeout;
        this.thread = Executors.newSingleThreadExecutor(Workers.daemonThreads(name));
        this.sweep = timer.scheduleWithFixedDelay(this::expireWaiting, SWEEP_MILLIS, SWEEP_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Takes a message for the broker, or refuses it at once with {@link PublishingPaused} while the
     * broker blocks publishing or the lane is full. On the caller's thread: no wait, no lock.
     */
    CompletableFuture<Void> publish(OutgoingMessage message) {
        if (closing) {
            return CompletableFuture.failedFuture(new BrokerUnavailable("the server is shutting down"));
        }
        String blockedBy = broker.publishingBlocked();
        if (blockedBy != null) {
            return CompletableFuture.failedFuture(new PublishingPaused(
                    "the broker does not take messages now (" + blockedBy + ")", retryAfter()));
        }
        long bytes = message.body().length;
        if (admitted.incrementAndGet() > MAX_ADMITTED | admittedBytes.addAndGet(bytes) > MAX_ADMITTED_BYTES) {
            release(bytes);
            return CompletableFuture.failedFuture(new PublishingPaused(
                    "too many messages wait for the broker", retryAfter()));
        }
        Pending pending = new Pending(message, new CompletableFuture<>());
        waiting.add(pending);
        try {
            thread.execute(this::pump);
        } catch (RejectedExecutionException e) {
            if (pending.claim()) {
                answer(pending, new BrokerUnavailable("the server is shutting down"));
            }
        }
        return pending.result;
    }

    /** How long a refused sender should wait before it tries again: about one confirm's worth of the broker's time. */
    private Duration retryAfter() {
        return confirmTimeout;
    }

    /** Wakes the lane when the broker blocks or unblocks publishing: what waits goes out, or is refused. */
    void wake() {
        try {
            thread.execute(this::pump);
        } catch (RejectedExecutionException e) {
            // stopped: close() answered everything
        }
    }

    /**
     * Publishes what waits, while confirms are due for fewer than {@link #MAX_IN_FLIGHT}; while the
     * broker blocks publishing, refuses it instead (never written, so truly not sent).
     */
    private void pump() {
        if (broker.publishingBlocked() == null) {
            while (outstanding.size() < MAX_IN_FLIGHT && !unsettled.isEmpty()) {
                // taken before the write: a channel found closed there puts its own unconfirmed in front
                Pending next = unsettled.poll();
                if (!write(next)) {
                    unsettled.addFirst(next);
                    break; // they wait for the broker: the lane is woken when it unblocks or comes back
                }
            }
        }
        while (outstanding.size() < MAX_IN_FLIGHT) {
            Pending next = waiting.poll();
            if (next == null) {
                if (drained != null && outstanding.isEmpty() && unsettled.isEmpty()) {
                    drained.complete(null);
                }
                return;
            }
            if (!next.claim()) {
                continue; // the sweep refused it
            }
            String blockedBy = broker.publishingBlocked();
            if (blockedBy != null) {
                answer(next, new PublishingPaused("the broker does not take messages now (" + blockedBy + ")",
                        retryAfter()));
            } else {
                send(next);
            }
        }
    }

    /** On the timer: refuses what waited unwritten past the confirm timeout, oldest first. */
    private void expireWaiting() {
        long now = System.nanoTime();
        long timeout = confirmTimeout.toNanos();
        for (Iterator<Pending> it = waiting.iterator(); it.hasNext();) {
            Pending pending = it.next();
            if (now - pending.queuedAt <= timeout) {
                return;
            }
            if (pending.claim()) {
                it.remove();
                answer(pending, new BrokerUnavailable("the broker is too slow: the message was not sent"));
            }
        }
    }

    /** Answers a message its claimer holds (null: stored), and gives its place in the lane back. */
    private void answer(Pending pending, Throwable failure) {
        release(pending.message.body().length);
        if (failure == null) {
            pending.result.complete(null);
        } else {
            pending.result.completeExceptionally(failure);
        }
    }

    private void release(long bytes) {
        admitted.decrementAndGet();
        admittedBytes.addAndGet(-bytes);
    }

    /** Writes a message never written before, or refuses it as not sent when the channel cannot take it. */
    private void send(Pending pending) {
        if (!write(pending)) {
            Throwable failure = pending.writeFailure;
            answer(pending, failure instanceof BrokerUnavailable ? failure
                    : new BrokerUnavailable("the broker did not take the message", failure));
        }
    }

    /** Writes a message on the channel, tracked for its confirm; false, tracking nothing, when the channel cannot take it. */
    private boolean write(Pending pending) {
        OutgoingMessage message = pending.message;
        long sequence = -1;
        try {
            Channel current = channel();
            sequence = current.getNextPublishSeqNo();
            outstanding.put(sequence, pending);
            outstandingById.put(message.messageId(), pending);
            // mandatory for one user: the broker returns it when no inbox is bound for that id (an unknown user)
            current.basicPublish(exchange.get(), message.recipient(), !message.broadcast(),
                    properties(message, pending.republished), message.body());
            return true;
        } catch (IOException | RuntimeException e) {
            if (sequence >= 0) {
                outstanding.remove(sequence);
            }
            outstandingById.remove(message.messageId());
            LOG.log(Level.FINE, e, () -> name + ": publish of " + message.messageId() + " failed");
            pending.writeFailure = e;
            return false;
        }
    }

    private Channel channel() throws IOException {
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        if (channel != null) {
            lost(null); // its shutdown may not have been told yet: its outstanding are the new channel's first
        }
        Channel opened = broker.openPublishChannel();
        try {
            topology.ensureExchanges(opened);
            opened.confirmSelect();
        } catch (IOException | RuntimeException e) {
            // never used: forgotten for recovery too, or it would come back beside the next one
            opened.abort();
            throw e;
        }
        opened.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long sequence, boolean multiple) {
                handOver(opened, () -> settle(sequence, multiple, true));
            }

            @Override
            public void handleNack(long sequence, boolean multiple) {
                handOver(opened, () -> settle(sequence, multiple, false));
            }
        });
        opened.addReturnListener(returned -> {
            String messageId = returned.getProperties().getMessageId();
            handOver(opened, () -> {
                Pending pending = outstandingById.get(messageId);
                if (pending != null) {
                    pending.returned = true;
                }
            });
        });
        opened.addShutdownListener(cause -> handOver(opened, () -> {
            lost(cause);
            pump(); // on a new channel, or the unwritten each refused at once while the broker is away
        }));
        channel = opened;
        return opened;
    }

    /**
     * From the client library's thread to this lane's, in order. Once the lane has stopped, its last
     * task answered everything, and what the library tells after it concerns nothing.
     */
    private void handOver(Channel from, Runnable task) {
        try {
            // sequence numbers start again on each channel: what a replaced channel tells concerns nothing now
            thread.execute(() -> {
                if (from == channel) {
                    task.run();
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.finest(() -> name + ": stopped; a broker callback after the end is ignored");
        }
    }

    private void settle(long sequence, boolean multiple, boolean stored) {
        NavigableMap<Long, Pending> range = multiple ? outstanding.headMap(sequence, true)
                : outstanding.subMap(sequence, true, sequence, true);
        List<Pending> settled = new ArrayList<>(range.values());
        range.clear();
        for (Pending pending : settled) {
            outstandingById.remove(pending.message.messageId());
            if (pending.returned) {
                // RabbitMQ acks a returned message, Qpid Broker-J nacks it: either way it was not stored
                answer(pending, new UnknownRecipient(pending.message.recipient()));
            } else if (!stored && !pending.message.broadcast() && !broker.features().rabbitQueueArguments()) {
                // Qpid Broker-J nacks a mandatory message that no inbox is bound for, before it returns it (if
                // at all); it takes no inbox limit (no x-max-length), so there a nack means no such user
                answer(pending, new UnknownRecipient(pending.message.recipient()));
            } else if (!stored) {
                answer(pending, new PublishRefused("the broker refused the message"));
            } else {
                answer(pending, null);
            }
        }
        pump();
    }

    /**
     * The current channel is gone (told by its shutdown, or found closed): what it had written and
     * not yet confirmed goes first into {@link #unsettled}, in the order written. Its confirms can
     * never come now; the broker may hold those messages or not.
     */
    private void lost(ShutdownSignalException cause) {
        if (cause != null && !cause.isInitiatedByApplication()) {
            LOG.warning(() -> name + ": channel closed (" + cause.getReason() + "); " + outstanding.size()
                    + " unconfirmed publishes will be written again, flagged");
        }
        List<Pending> written = new ArrayList<>(outstanding.values());
        outstanding.clear();
        outstandingById.clear();
        for (int i = written.size() - 1; i >= 0; i--) {
            Pending pending = written.get(i);
            if (++pending.losses > MAX_LOSSES) {
                // a message that closes every channel it is written on (an exchange deleted under the server)
                answer(pending, new BrokerUnavailable("the broker closed the channel " + MAX_LOSSES
                        + " times before it confirmed the message"));
                continue;
            }
            pending.republished = true;
            pending.returned = false;
            unsettled.addFirst(pending);
        }
        try {
            // forget it for recovery, or it would come back beside the new one with its listeners
            channel.abort();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINEST, name + ": aborting a lost channel failed", e);
        }
        channel = null;
    }

    /**
     * Stops taking work and waits, up to the confirm timeout, for the confirms already due (the
     * broker connection is still open: {@link Publisher} drains before it closes). Then everything
     * still held is refused and the channel closed, on the lane's thread, which then ends.
     */
    void close() {
        closing = true;
        sweep.cancel(false);
        try {
            CompletableFuture<Void> drained = new CompletableFuture<>();
            thread.execute(() -> awaitDrained(drained));
            drained.get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException | RejectedExecutionException e) {
            LOG.fine(() -> name + ": confirms still due at shutdown are refused");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            thread.execute(this::stop);
        } catch (RejectedExecutionException e) {
            return; // closed before
        }
        thread.shutdown();
        try {
            thread.awaitTermination(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** On the lane: {@code wanted} completes once nothing waits and no confirm is due, checked after each settle. */
    private void awaitDrained(CompletableFuture<Void> wanted) {
        drained = wanted;
        pump();
    }

    /** On the lane, last: refuses what is left and closes the channel. */
    private void stop() {
        for (Pending pending; (pending = waiting.poll()) != null;) {
            if (pending.claim()) {
                answer(pending, new BrokerUnavailable("the server is shutting down"));
            }
        }
        List<Pending> unconfirmed = new ArrayList<>(outstanding.values());
        unconfirmed.addAll(unsettled);
        outstanding.clear();
        outstandingById.clear();
        unsettled.clear();
        unconfirmed.forEach(pending -> answer(pending, new BrokerUnavailable(
                "the server stopped before the broker confirmed the message")));
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                LOG.log(Level.FINE, name + ": closing the channel failed", e);
            }
        }
    }

    private static AMQP.BasicProperties properties(OutgoingMessage message, boolean republished) {
        Map<String, Object> headers = message.headers();
        if (republished) {
            headers = new HashMap<>(headers == null ? Map.of() : headers);
            headers.put(HEADER_REPUBLISHED, true);
        }
        return new AMQP.BasicProperties.Builder()
                .deliveryMode(message.persistent() ? 2 : 1)
                .contentType("application/json")
                .messageId(message.messageId())
                .type(message.kind())
                .timestamp(new Date())
                .headers(headers)
                .build();
    }
}
