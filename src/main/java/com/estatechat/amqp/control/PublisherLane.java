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
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One publishing channel with its own thread, in confirm mode. Publishes never wait for their
 * confirm: each is tracked by its sequence number and its future completes when the broker acks
 * (stored), nacks (refused) or returns it (no inbox), or when the confirm timeout passes.
 * Messages given to one lane reach the broker in the order they were given. The client library
 * tells confirms, returns and shutdowns on its connection thread: they are handed to the lane's
 * thread, in the order told, and futures complete there (callers continue on their own lanes).
 * <p>
 * At most {@link #MAX_IN_FLIGHT} messages wait for their confirm; the others wait in the lane,
 * unpublished. So an overloaded broker holds back what the lane sends instead of letting confirms
 * come late: a message still waiting in the lane after the confirm timeout is refused as not sent
 * (true: the broker never had it), and the timeout of a published one counts from its publish.
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
    private static final long SWEEP_MILLIS = 200;
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ScheduledExecutorService thread;
    // touched on the lane's thread only
    private final NavigableMap<Long, Pending> outstanding = new TreeMap<>();
    private final Map<String, Pending> outstandingById = new HashMap<>();
    private final Deque<Pending> waiting = new ArrayDeque<>();
    private Channel channel;
    private long lastUnconfirmedWarning = System.nanoTime() - WARN_EVERY_NANOS;
    private long unconfirmedSinceWarning;

    private static final class Pending {
        final OutgoingMessage message;
        final CompletableFuture<Void> result;
        final long queuedAt = System.nanoTime();
        long publishedAt;
        boolean returned;

        Pending(OutgoingMessage message, CompletableFuture<Void> result) {
            this.message = message;
            this.result = result;
        }
    }

    PublisherLane(String name, BrokerConnection broker, InboxTopology topology, Supplier<String> exchange,
            Duration confirmTimeout) {
        this.name = name;
        this.broker = broker;
        this.topology = topology;
        this.exchange = exchange;
        this.confirmTimeout = confirmTimeout;
        this.thread = Executors.newSingleThreadScheduledExecutor(Workers.daemonThreads(name));
        thread.scheduleWithFixedDelay(this::expire, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    CompletableFuture<Void> publish(OutgoingMessage message) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                waiting.add(new Pending(message, result));
                pump();
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(new BrokerUnavailable("the server is shutting down", e));
        }
        return result;
    }

    /** Publishes what waits, while confirms are due for fewer than {@link #MAX_IN_FLIGHT}. */
    private void pump() {
        while (outstanding.size() < MAX_IN_FLIGHT && !waiting.isEmpty()) {
            send(waiting.poll());
        }
    }

    /** Refuses what waited too long in the lane (never sent) and what the broker did not confirm in time. */
    private void expire() {
        long now = System.nanoTime();
        long timeout = confirmTimeout.toNanos();
        while (!waiting.isEmpty() && now - waiting.peek().queuedAt > timeout) {
            waiting.poll().result.completeExceptionally(
                    new BrokerUnavailable("the broker is too slow: the message was not sent"));
        }
        List<Long> late = new ArrayList<>();
        for (Map.Entry<Long, Pending> entry : outstanding.entrySet()) {
            if (now - entry.getValue().publishedAt > timeout) {
                late.add(entry.getKey());
            }
        }
        for (Long sequence : late) {
            Pending pending = outstanding.remove(sequence);
            outstandingById.remove(pending.message.messageId());
            pending.result.completeExceptionally(new TimeoutException("no confirm from the broker in time"));
        }
        if (!late.isEmpty()) {
            unconfirmedSinceWarning += late.size();
            if (now - lastUnconfirmedWarning > WARN_EVERY_NANOS) {
                long count = unconfirmedSinceWarning;
                LOG.warning(() -> name + ": " + count + " publishes not confirmed within " + confirmTimeout.toMillis()
                        + " ms (since the last such warning); their senders were told unavailable, though the broker"
                        + " may have stored them");
                lastUnconfirmedWarning = now;
                unconfirmedSinceWarning = 0;
            }
            pump();
        }
    }

    private void send(Pending pending) {
        if (pending.result.isDone()) {
            return;
        }
        OutgoingMessage message = pending.message;
        long sequence = -1;
        try {
            Channel current = channel();
            sequence = current.getNextPublishSeqNo();
            pending.publishedAt = System.nanoTime();
            outstanding.put(sequence, pending);
            outstandingById.put(message.messageId(), pending);
            // mandatory for one user: the broker returns it when no inbox is bound for that id (an unknown user)
            current.basicPublish(exchange.get(), message.recipient(), !message.broadcast(), properties(message),
                    message.body());
        } catch (IOException | RuntimeException e) {
            if (sequence >= 0) {
                outstanding.remove(sequence);
            }
            outstandingById.remove(message.messageId());
            LOG.log(Level.FINE, e, () -> name + ": publish of " + message.messageId() + " failed");
            pending.result.completeExceptionally(e instanceof BrokerUnavailable ? e
                    : new BrokerUnavailable("the broker did not take the message", e));
        }
    }

    private Channel channel() throws IOException {
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        if (channel != null) {
            // forget it for recovery, or it would come back beside the new one with its listeners
            channel.abort();
            channel = null;
        }
        Channel opened = broker.openPublishChannel();
        topology.ensureExchanges(opened);
        opened.confirmSelect();
        opened.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long sequence, boolean multiple) {
                handOver(() -> settle(sequence, multiple, true));
            }

            @Override
            public void handleNack(long sequence, boolean multiple) {
                handOver(() -> settle(sequence, multiple, false));
            }
        });
        opened.addReturnListener(returned -> {
            String messageId = returned.getProperties().getMessageId();
            handOver(() -> {
                Pending pending = outstandingById.get(messageId);
                if (pending != null) {
                    pending.returned = true;
                }
            });
        });
        opened.addShutdownListener(cause -> handOver(() -> failOutstanding(cause)));
        channel = opened;
        return opened;
    }

    /** From the client library's thread to this lane's, in order; inline only once the lane has stopped. */
    private void handOver(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
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
                pending.result.completeExceptionally(new UnknownRecipient(pending.message.recipient()));
            } else if (!stored && !pending.message.broadcast() && !broker.features().rabbitQueueArguments()) {
                // Qpid Broker-J nacks a mandatory message that no inbox is bound for, before it returns it (if
                // at all); it takes no inbox limit (no x-max-length), so there a nack means no such user
                pending.result.completeExceptionally(new UnknownRecipient(pending.message.recipient()));
            } else if (!stored) {
                pending.result.completeExceptionally(new PublishRefused("the broker refused the message"));
            } else {
                pending.result.complete(null);
            }
        }
        pump();
    }

    private void failOutstanding(ShutdownSignalException cause) {
        if (!cause.isInitiatedByApplication()) {
            LOG.warning(() -> name + ": channel closed (" + cause.getReason() + "); failing "
                    + outstanding.size() + " unconfirmed publishes");
        }
        List<Pending> lost = new ArrayList<>(outstanding.values());
        outstanding.clear();
        outstandingById.clear();
        lost.forEach(pending -> pending.result.completeExceptionally(
                new BrokerUnavailable("the broker connection was lost")));
        pump(); // on a new channel, or each refused at once while the broker is away
    }

    /** Stops taking work, waits briefly for confirms already due, then closes the channel. */
    void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                thread.shutdownNow();
            }
            waiting.forEach(pending -> pending.result.completeExceptionally(
                    new BrokerUnavailable("the server is shutting down")));
            waiting.clear();
            if (channel != null && channel.isOpen()) {
                channel.waitForConfirms(confirmTimeout.toMillis());
                channel.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.FINE, name + ": closing the channel failed", e);
        }
    }

    private static AMQP.BasicProperties properties(OutgoingMessage message) {
        return new AMQP.BasicProperties.Builder()
                .deliveryMode(message.persistent() ? 2 : 1)
                .contentType("application/json")
                .messageId(message.messageId())
                .type(message.kind())
                .timestamp(new Date())
                .headers(message.headers())
                .build();
    }
}
