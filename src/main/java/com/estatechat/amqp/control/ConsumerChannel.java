package com.estatechat.amqp.control;

import com.estatechat.concurrent.SerialExecutor;
import com.estatechat.metrics.StepMeter;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One channel on the consuming connection that carries the inbox consumers of many users, each with
 * its own prefetch ({@code basic.qos} with {@code global=false}), beside a second channel for the
 * declares and binds that precede a consumer: a declare the broker refuses closes its channel, and
 * must not take the consumers with it.
 * <p>
 * <b>One owner.</b> Every call on both channels, and every change to what is tracked here, runs on
 * {@link #owner} (a serial lane on the {@code chat-amqp-channel} threads). The client library's
 * threads only hand over: a delivery's record as unsettled is queued on the owner before it is given
 * to its subscription's listener, so the record is always there before the ack that settles it.
 * <p>
 * <b>Coalesced acks.</b> An ack is not sent at once: it waits for the owner's next flush, which runs
 * after the tasks already queued. Then one {@code basic.ack multiple=true} settles every acked tag below
 * the lowest tag still unsettled on the channel (no other consumer's delivery is in that range), and
 * the acks above it go one by one. A requeue or dead-letter goes out at once, on its own tag.
 * <p>
 * <b>Ending a consumer without its channel.</b> Cancelling a consumer does not return what it holds
 * unacked; when its subscription ends, the deliveries it left unsettled are requeued here, including
 * those that arrive after the cancel. When the channel itself goes, the broker requeues everything,
 * each subscription on it is told lost, and the next subscription opens a new channel.
 */
final class ConsumerChannel {

    private static final Logger LOG = Logger.getLogger(ConsumerChannel.class.getName());

    private final BrokerConnection broker;
    private final InboxTopology topology;
    private final Executor owner;
    private final String name;
    private final InboxSteps steps;
    /** Subscriptions given to this channel and not ended: starting or consuming. Read by the pool. */
    private final AtomicInteger load = new AtomicInteger();

    // ---- only on the owner
    private Channel consuming;
    private Channel declaring;
    private final Set<InboxSubscription> consumers = new HashSet<>();
    /** Consumers on the channel whose cancel was sent (a second one the client library refuses). */
    private final Set<InboxSubscription> cancelled = new HashSet<>();
    private final TreeMap<Long, InboxSubscription> unsettled = new TreeMap<>();
    private final TreeSet<Long> acked = new TreeSet<>();
    private boolean flushQueued;
    private long consumerSequence;

    ConsumerChannel(BrokerConnection broker, InboxTopology topology, Executor owner, String name) {
        this(broker, topology, owner, name, InboxSteps.NONE);
    }

    ConsumerChannel(BrokerConnection broker, InboxTopology topology, Executor owner, String name, InboxSteps steps) {
        this.broker = broker;
        this.topology = topology;
        this.owner = owner;
        this.name = name;
        this.steps = steps;
    }

    InboxSteps steps() {
        return steps;
    }

    /** How many subscriptions this channel carries or is starting; the pool fills the least loaded. */
    int load() {
        return load.get();
    }

    /** Taken by the pool for a subscription about to start here. */
    void reserve() {
        load.incrementAndGet();
    }

    void execute(Runnable task) {
        owner.execute(task);
    }

    // ---- on the owner

    /**
     * Declares the user's inbox, binds it, and starts its consumer on the shared channel. On
     * failure the reservation is given back and the caller is told.
     */
    void start(InboxSubscription subscription, int prefetch, List<String> bind, List<String> unbind)
            throws IOException {
        assert SerialExecutor.runsOn(owner) : "not on the owner of the " + name;
        String userId = subscription.userId();
        try {
            StepMeter.Start declaring = steps.declare().start();
            int others = declare(userId, bind, unbind);
            steps.declare().stop(declaring);
            if (others > 0 && !topology.fanOut()) {
                // one consumer per user per node: another one is a closing one of ours, or another node's
                // (with fan-out, other nodes' consumers are expected: one holds, the others stand by)
                LOG.warning(() -> "The inbox of " + userId + " already has " + others + " consumer(s). Unless"
                        + " a session of this user is closing on this node, the user is connected to several"
                        + " nodes, which share its deliveries: route each user to one node, or set chat.cluster.fan-out=true (docs/operations.md: Several nodes)");
            }
            StepMeter.Start consumeStarted = steps.consume().start();
            Channel channel = consumingChannel(prefetch);
            String tag = "chat-" + userId + "-" + channel.getChannelNumber() + "-" + (++consumerSequence);
            subscription.startingAs(tag, broker.features().deadLettersRejects() ? null : topology.deadLetterExchange());
            consumers.add(subscription);
            try {
                // beneath the recovering channel, which would record the consumer for a recovery that never
                // comes (this channel is given up when lost) and scan that record at each cancel
                InboxTopology.unrecorded(channel).basicConsume(topology.inboxName(userId), false, tag,
                        new InboxConsumer(channel, subscription));
                steps.consume().stop(consumeStarted);
            } catch (IOException | RuntimeException e) {
                consumers.remove(subscription);
                failed(channel, "starting the consumer of " + userId, e);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            load.decrementAndGet();
            throw e;
        }
    }

    /** @return how many consumers the inbox had already */
    private int declare(String userId, List<String> bind, List<String> unbind) throws IOException {
        if (declaring == null || !declaring.isOpen()) {
            abortQuietly(declaring);
            declaring = broker.openChannel();
        }
        try {
            try {
                return topology.declareInbox(declaring, userId, bind, unbind);
            } catch (InboxArgumentsMismatch e) {
                abortQuietly(declaring); // closed by the broker: aborted, so that recovery forgets it
                declaring = broker.openChannel();
                return topology.useExistingInbox(declaring, userId, bind, unbind);
            }
        } catch (IOException | RuntimeException e) {
            // a reply that comes after its call timed out would be taken for the next call's: start afresh
            abortQuietly(declaring);
            declaring = null;
            throw e;
        }
    }

    private Channel consumingChannel(int prefetch) throws IOException {
        if (consuming != null && consuming.isOpen()) {
            return consuming;
        }
        if (consuming != null) {
            // closed, and its shutdown listener's hand-over has not run yet: its consumers are lost now,
            // before a new channel takes its place (their tags mean nothing on the new one)
            lost(consuming, "the channel closed");
        }
        Channel opened = broker.openChannel();
        try {
            opened.basicQos(prefetch, false); // per consumer, for each consumer started on it
            opened.addShutdownListener(cause -> onShutdown(opened, cause));
        } catch (IOException | RuntimeException e) {
            abortQuietly(opened);
            throw e;
        }
        consuming = opened;
        return opened;
    }

    /**
     * Records a delivery as unsettled: before any settlement of it, which is queued here after this
     * record. Its listener may have seen it already (it runs on the user's lane, in no order with
     * this owner), and a client may have acked it, even if its subscription is closing by now: so
     * a delivery of a consumer that has not ended here is held, and its end requeues it if it is
     * still unsettled then. Only one that came after the end (before the cancel took effect) goes
     * back at once.
     */
    private void track(Channel channel, InboxSubscription subscription, long tag) {
        assert SerialExecutor.runsOn(owner) : "not on the owner of the " + name;
        if (channel != consuming) {
            return; // that channel is gone, and with it the delivery: the broker requeued it
        }
        if (!consumers.contains(subscription)) {
            nack(tag, true, subscription); // ended here, or cancelled by the broker: nobody settles it now
            return;
        }
        unsettled.put(tag, subscription);
    }

    /** Whether {@code tag} is {@code subscription}'s and not settled; if so it is settled from now on. */
    private boolean take(InboxSubscription subscription, long tag) {
        if (unsettled.get(tag) != subscription) {
            return false; // settled already, or its channel is gone (the broker requeued it)
        }
        unsettled.remove(tag);
        return true;
    }

    void ack(InboxSubscription subscription, long tag) {
        assert SerialExecutor.runsOn(owner) : "not on the owner of the " + name;
        if (!take(subscription, tag)) {
            return;
        }
        acked.add(tag);
        if (!flushQueued) {
            flushQueued = true;
            owner.execute(this::flushAcks);
        }
    }

    /** Sends the acks gathered since the last flush: see the class comment. */
    private void flushAcks() {
        assert SerialExecutor.runsOn(owner) : "not on the owner of the " + name;
        flushQueued = false;
        if (acked.isEmpty()) {
            return;
        }
        Channel channel = consuming;
        try {
            if (channel == null || !channel.isOpen()) {
                return; // the broker requeued them with the channel
            }
            Acks.write(channel, acked, unsettled.isEmpty() ? Long.MAX_VALUE : unsettled.firstKey());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, e, () -> "Could not ack " + acked.size() + " deliveries on " + name
                    + "; the broker requeues them with the channel");
        } finally {
            acked.clear();
        }
    }

    void requeue(InboxSubscription subscription, long tag) {
        assert SerialExecutor.runsOn(owner) : "not on the owner of the " + name;
        if (take(subscription, tag)) {
            nack(tag, true, subscription);
        }
    }

    /** Dead-letters by a reject, or (a broker that does not) by a copy to {@code copyTo} and an ack. */
    void deadLetter(InboxSubscription subscription, InboxDelivery delivery, String copyTo) {
        long tag = delivery.deliveryTag();
        if (!take(subscription, tag)) {
            return;
        }
        if (copyTo == null) {
            nack(tag, false, subscription);
            return;
        }
        if (consuming == null || !consuming.isOpen()) {
            return; // the broker requeued it with the channel
        }
        try {
            consuming.basicPublish(copyTo, "", new AMQP.BasicProperties.Builder().deliveryMode(2)
                    .type(delivery.kind()).messageId(delivery.messageId()).headers(delivery.headers()).build(),
                    delivery.body());
            consuming.basicAck(tag, false);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, e, () -> "Could not dead-letter a delivery in the inbox of " + subscription.userId());
        }
    }

    private void nack(long tag, boolean requeue, InboxSubscription subscription) {
        if (consuming == null || !consuming.isOpen()) {
            return; // the broker requeued it with the channel
        }
        try {
            consuming.basicNack(tag, false, requeue);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, e, () -> "Could not " + (requeue ? "requeue" : "dead-letter")
                    + " a delivery in the inbox of " + subscription.userId());
        }
    }

    /** Stops new deliveries to {@code subscription}: what it holds stays unacked until {@link #end}. */
    void cancel(InboxSubscription subscription) {
        assert SerialExecutor.runsOn(owner) : "not on the owner of the " + name;
        Channel channel = consuming;
        if (!consumers.contains(subscription) || channel == null || !channel.isOpen() || !cancelled.add(subscription)) {
            return; // gone with its channel, cancelled by the broker, or cancelled already
        }
        try {
            InboxTopology.unrecorded(channel).basicCancel(subscription.consumerTag());
        } catch (IOException | RuntimeException e) {
            failed(channel, "cancelling the consumer of " + subscription.userId(), e);
        }
    }

    /** The subscription is over: cancelled if it was not, and what it left unsettled goes back to the inbox. */
    void end(InboxSubscription subscription) {
        assert SerialExecutor.runsOn(owner) : "not on the owner of the " + name;
        try {
            requeueWhatIsLeft(subscription);
        } finally {
            subscription.gone();
        }
    }

    private void requeueWhatIsLeft(InboxSubscription subscription) {
        if (!consumers.contains(subscription)) {
            return; // its channel is gone (the broker requeued), or the broker cancelled it, or it never started
        }
        cancel(subscription);
        cancelled.remove(subscription);
        if (!consumers.remove(subscription)) {
            return; // the cancel failed, and the channel went with what it held
        }
        load.decrementAndGet();
        List<Long> left = new ArrayList<>();
        for (Map.Entry<Long, InboxSubscription> entry : unsettled.entrySet()) {
            if (entry.getValue() == subscription) {
                left.add(entry.getKey());
            }
        }
        left.forEach(tag -> {
            unsettled.remove(tag);
            nack(tag, true, subscription);
        });
    }

    /**
     * The broker cancelled the consumer. That is a removed user only when its inbox is gone (the
     * directory's record: {@link InboxTopology#inboxGone}); a queue whose node went down cancels its
     * consumers too, and then the consumer is lost and its user subscribes again. Its unsettled
     * deliveries are forgotten without a word to the broker (the broker returned them to the queue,
     * or the queue is gone; a later multiple ack may cover them).
     */
    private void cancelledByBroker(InboxSubscription subscription) {
        cancelled.remove(subscription);
        if (!consumers.remove(subscription)) {
            return;
        }
        load.decrementAndGet();
        unsettled.values().removeIf(held -> held == subscription);
        subscription.ended();
        subscription.gone();
        if (inboxGone(subscription.userId())) {
            subscription.listener().onRemoved(subscription);
        } else {
            subscription.listener().onLost(subscription, "the broker cancelled the consumer; the inbox is still there");
        }
    }

    /** Asked on the declaring channel, which a 404 closes; an answer that says nothing counts as not gone. */
    private boolean inboxGone(String userId) {
        try {
            if (declaring == null || !declaring.isOpen()) {
                abortQuietly(declaring);
                declaring = broker.openChannel();
            }
            return topology.inboxGone(declaring, userId);
        } catch (IOException | RuntimeException e) {
            abortQuietly(declaring);
            declaring = null;
            LOG.log(Level.WARNING, e, () -> "Cannot tell whether the inbox of " + userId + " still exists after the"
                    + " broker cancelled its consumer: taken as a lost consumer, which subscribes again");
            return false;
        }
    }

    /**
     * A call on the shared channel failed. It may have timed out with its reply still to come, which
     * the client library would then hand to the next call waiting on this channel (a consume-ok for
     * another consumer's consume): the channel is given up, and its consumers start again elsewhere.
     */
    private void failed(Channel channel, String what, Exception cause) {
        LOG.log(Level.WARNING, cause, () -> what + " on the " + name + " failed: the channel is closed and its"
                + " consumers subscribe again");
        lost(channel, what + " failed");
    }

    /** The channel went (its connection, or an error on it): every consumer on it is lost. */
    private void lost(Channel channel, String reason) {
        if (channel != consuming) {
            return;
        }
        consuming = null;
        abortQuietly(channel); // the client library forgets it for recovery only through close or abort
        unsettled.clear();
        acked.clear();
        List<InboxSubscription> gone = List.copyOf(consumers);
        consumers.clear();
        cancelled.clear();
        load.addAndGet(-gone.size());
        LOG.warning(() -> "The " + name + " ended (" + reason + "): its " + gone.size()
                + " consumer(s) subscribe again");
        for (InboxSubscription subscription : gone) {
            subscription.gone();
            if (subscription.ended()) {
                subscription.listener().onLost(subscription, reason);
            }
        }
    }

    // ---- called on the client library's threads: each only hands over

    private void onShutdown(Channel channel, ShutdownSignalException cause) {
        if (cause.isInitiatedByApplication()) {
            return;
        }
        String reason = cause.isHardError() ? "the broker connection was lost"
                : "the broker closed its channel: " + (cause.getReason() instanceof AMQP.Channel.Close close
                        ? close.getReplyText() : cause.getMessage());
        owner.execute(() -> lost(channel, reason));
    }

    private final class InboxConsumer extends DefaultConsumer {

        private final InboxSubscription subscription;

        InboxConsumer(Channel channel, InboxSubscription subscription) {
            super(channel);
            this.subscription = subscription;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                byte[] body) {
            long tag = envelope.getDeliveryTag();
            Channel channel = getChannel();
            owner.execute(() -> track(channel, subscription, tag));
            // a copy written again after its publishing channel was lost: the first may have been delivered too
            boolean republished = properties.getHeaders() != null
                    && Boolean.TRUE.equals(properties.getHeaders().get(PublisherLane.HEADER_REPUBLISHED));
            subscription.listener().onDelivery(subscription, new InboxDelivery(tag,
                    envelope.isRedeliver() || republished, properties.getType(), properties.getMessageId(), body,
                    properties.getHeaders()));
        }

        @Override
        public void handleCancel(String consumerTag) {
            LOG.info(() -> "The broker cancelled the inbox consumer of " + subscription.userId()
                    + ": its inbox was deleted, or its queue is unavailable");
            owner.execute(() -> cancelledByBroker(subscription));
        }
    }

    private static void abortQuietly(Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            if (channel.isOpen()) {
                channel.close();
            } else {
                channel.abort();
            }
        } catch (IOException | RuntimeException | TimeoutException e) {
            LOG.log(Level.FINE, "Closing a consumer channel failed", e);
            try {
                channel.abort();
            } catch (IOException | RuntimeException again) {
                LOG.log(Level.FINE, "Aborting a consumer channel failed", again);
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
