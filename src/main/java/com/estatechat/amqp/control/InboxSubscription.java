package com.estatechat.amqp.control;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A consumer on one user's inbox, with manual acks and a prefetch limit, on a channel of its own.
 * Every channel operation runs on the subscription's serial executor, so the channel has a single
 * owner. Closing the subscription closes the channel, and the broker puts every delivery that was
 * not acked back in the inbox.
 * <p>
 * A subscription ends for good when its channel or connection goes: the listener is told
 * ({@link InboxListener#onLost}) and the channel is aborted, so that the client library's recovery
 * never brings it back; the owner of the listener subscribes again once the broker is there.
 */
public final class InboxSubscription {

    private static final Logger LOG = Logger.getLogger(InboxSubscription.class.getName());

    private final String userId;
    private final Executor owner;
    private final InboxListener listener;
    private final AtomicInteger settling = new AtomicInteger();
    private Channel channel;
    /** The dead-letter exchange when the broker does not dead-letter rejects itself; else null. */
    private volatile String deadLetterCopyTo;
    private volatile boolean closeRequested;
    private volatile boolean closed;

    InboxSubscription(String userId, Executor owner, InboxListener listener) {
        this.userId = userId;
        this.owner = owner;
        this.listener = listener;
    }

    /** Runs on the owner: opens the channel and starts consuming. */
    void open(BrokerConnection broker, InboxTopology topology, int prefetch, List<String> bind, List<String> unbind)
            throws IOException {
        Channel opened = broker.openChannel();
        try {
            deadLetterCopyTo = broker.features().deadLettersRejects() ? null : topology.deadLetterExchange();
            int consumers;
            try {
                consumers = topology.declareInbox(opened, userId, bind, unbind);
            } catch (InboxArgumentsMismatch e) {
                closeQuietly(opened); // closed by the broker: aborted, so that recovery forgets it
                opened = broker.openChannel();
                consumers = topology.useExistingInbox(opened, userId, bind, unbind);
            }
            opened.basicQos(prefetch);
            if (consumers > 0) {
                int others = consumers;
                // one consumer per user per node: another one is a closing one of ours, or another node's
                LOG.warning(() -> "The inbox of " + userId + " already has " + others + " consumer(s). Unless"
                        + " a session of this user is closing on this node, the user is connected to several"
                        + " nodes, which share its deliveries: route each user to one node (docs/operations.md: Several nodes)");
            }
            opened.addShutdownListener(this::onShutdown);
            opened.basicConsume(topology.inboxName(userId), false, "chat-" + userId + "-" + opened.getChannelNumber(),
                    new InboxConsumer(opened));
            channel = opened;
        } catch (IOException | RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
    }

    public String userId() {
        return userId;
    }

    /**
     * False once the subscription is ending: closed or asked to close by the server (its channel may
     * wait for settlements in progress), or lost (then it never comes back).
     */
    public boolean isOpen() {
        return !closed && !closeRequested;
    }

    /** Removes the delivery from the inbox: the work it stands for is done. */
    public void ack(long deliveryTag) {
        run("ack", channel -> channel.basicAck(deliveryTag, false));
    }

    /** Returns the delivery to the inbox, to come again. */
    public void requeue(long deliveryTag) {
        run("requeue", channel -> channel.basicNack(deliveryTag, false, true));
    }

    /**
     * Refuses a delivery that can never be handled: the broker dead-letters it. A broker that does
     * not dead-letter rejects (Qpid Broker-J keeps them and offers them again) gets a copy
     * published to the dead-letter exchange, and then the ack.
     */
    public void deadLetter(InboxDelivery delivery) {
        if (deadLetterCopyTo == null) {
            run("dead-letter", channel -> channel.basicNack(delivery.deliveryTag(), false, false));
            return;
        }
        run("dead-letter", channel -> {
            channel.basicPublish(deadLetterCopyTo, "", new AMQP.BasicProperties.Builder().deliveryMode(2)
                    .type(delivery.kind()).messageId(delivery.messageId()).headers(delivery.headers()).build(),
                    delivery.body());
            channel.basicAck(delivery.deliveryTag(), false);
        });
    }

    /**
     * A settlement has begun that will end in {@link #ack} or {@link #requeue} (or nothing) and then
     * {@link #release}: a close waits for it, so that an ack the client sent just before leaving is
     * not lost and the message does not come again.
     */
    public void hold() {
        settling.incrementAndGet();
    }

    /** The settlement begun with {@link #hold} is over. */
    public void release() {
        if (settling.decrementAndGet() == 0 && closeRequested) {
            closeNow();
        }
    }

    /**
     * Cancels the consumer and closes the channel once settlements in progress are over (each ends
     * within the confirm timeout); unacked deliveries go back to the inbox.
     */
    public void close() {
        closeRequested = true;
        if (settling.get() == 0) {
            closeNow();
        }
    }

    private void closeNow() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        owner.execute(() -> closeQuietly(channel));
    }

    private interface ChannelTask {
        void run(Channel channel) throws IOException;
    }

    private void run(String what, ChannelTask task) {
        owner.execute(() -> {
            // no check of the closed flag: a settlement queued before the close still runs, in order
            Channel current = channel;
            if (current == null || !current.isOpen()) {
                return; // the broker requeues what this channel held; nothing to settle here
            }
            try {
                task.run(current);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, e, () -> "Could not " + what + " a delivery in the inbox of " + userId);
            }
        });
    }

    /** Called on the client library's connection thread: only hands over. */
    private void onShutdown(ShutdownSignalException cause) {
        if (closed || cause.isInitiatedByApplication()) {
            return;
        }
        String reason = cause.isHardError() ? "the broker connection was lost" : "the broker closed its channel";
        LOG.fine(() -> "The inbox consumer of " + userId + " ended: " + reason);
        closeNow();
        listener.onLost(this, reason);
    }

    /**
     * Closes the channel, or aborts it when it is already closed: the client library forgets a
     * channel for recovery only through {@code close} or {@code abort}, and one that is merely
     * closed comes back with its consumer once the connection recovers.
     */
    private static void closeQuietly(Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            if (channel.isOpen()) {
                channel.close();
            } else {
                channel.abort();
            }
        } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException e) {
            LOG.log(Level.FINE, "Closing an inbox channel failed", e);
            try {
                channel.abort();
            } catch (IOException | RuntimeException again) {
                LOG.log(Level.FINE, "Aborting an inbox channel failed", again);
            }
        }
    }

    private final class InboxConsumer extends DefaultConsumer {

        InboxConsumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                byte[] body) {
            listener.onDelivery(InboxSubscription.this, new InboxDelivery(envelope.getDeliveryTag(), envelope.isRedeliver(),
                    properties.getType(), properties.getMessageId(), body, properties.getHeaders()));
        }

        @Override
        public void handleCancel(String consumerTag) {
            LOG.info(() -> "The broker cancelled the inbox consumer of " + userId + ": the inbox was deleted");
            closeNow();
            listener.onRemoved(InboxSubscription.this);
        }
    }
}
