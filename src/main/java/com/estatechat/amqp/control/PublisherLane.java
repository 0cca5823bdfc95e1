package com.estatechat.amqp.control;

import com.estatechat.concurrent.Workers;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Duration;
import java.util.Date;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
 */
final class PublisherLane {

    private static final Logger LOG = Logger.getLogger(PublisherLane.class.getName());

    private final String name;
    private final BrokerConnection broker;
    private final InboxTopology topology;
    private final Supplier<String> exchange;
    private final Duration confirmTimeout;
    private final ExecutorService thread;
    private final NavigableMap<Long, Pending> outstanding = new ConcurrentSkipListMap<>();
    private final Map<String, Pending> outstandingById = new ConcurrentHashMap<>();
    private Channel channel;

    private static final class Pending {
        final OutgoingMessage message;
        final CompletableFuture<Void> result;
        volatile boolean returned;

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
        this.thread = Executors.newSingleThreadExecutor(Workers.daemonThreads(name));
    }

    CompletableFuture<Void> publish(OutgoingMessage message) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        result.orTimeout(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            thread.execute(() -> send(new Pending(message, result)));
        } catch (RuntimeException e) {
            result.completeExceptionally(new BrokerUnavailable("the server is shutting down", e));
        }
        return result;
    }

    private void send(Pending pending) {
        if (pending.result.isDone()) {
            return; // timed out while queued: the sender was already told
        }
        OutgoingMessage message = pending.message;
        long sequence = -1;
        try {
            Channel current = channel();
            if (!message.broadcast()) {
                topology.ensureInbox(current, message.recipient());
            }
            sequence = current.getNextPublishSeqNo();
            outstanding.put(sequence, pending);
            outstandingById.put(message.messageId(), pending);
            // mandatory for one inbox: if it vanished, the broker returns the message instead of dropping it
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
        Channel opened = broker.openPublishChannel();
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
        NavigableMap<Long, Pending> settled = multiple ? outstanding.headMap(sequence, true)
                : outstanding.subMap(sequence, true, sequence, true);
        for (Map.Entry<Long, Pending> entry : settled.entrySet()) {
            Pending pending = entry.getValue();
            outstanding.remove(entry.getKey());
            outstandingById.remove(pending.message.messageId());
            if (pending.returned) {
                // the inbox vanished after we declared it: declare it again on the next publish
                // (RabbitMQ acks a returned message, Qpid Broker-J nacks it: either way it was not stored)
                topology.forget(pending.message.recipient());
                pending.result.completeExceptionally(new BrokerUnavailable("the recipient's inbox was missing"));
            } else if (!stored) {
                pending.result.completeExceptionally(new PublishRefused("the broker refused the message"));
            } else {
                pending.result.complete(null);
            }
        }
    }

    private void failOutstanding(ShutdownSignalException cause) {
        if (!cause.isInitiatedByApplication()) {
            LOG.warning(() -> name + ": channel closed (" + cause.getReason() + "); failing "
                    + outstanding.size() + " unconfirmed publishes");
        }
        for (Long sequence : outstanding.keySet()) {
            Pending pending = outstanding.remove(sequence);
            if (pending != null) {
                outstandingById.remove(pending.message.messageId());
                pending.result.completeExceptionally(new BrokerUnavailable("the broker connection was lost"));
            }
        }
    }

    /** Stops taking work, waits briefly for confirms already due, then closes the channel. */
    void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                thread.shutdownNow();
            }
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
                .deliveryMode(2)
                .contentType("application/json")
                .messageId(message.messageId())
                .type(message.kind())
                .timestamp(new Date())
                .headers(message.headers())
                .build();
    }
}
