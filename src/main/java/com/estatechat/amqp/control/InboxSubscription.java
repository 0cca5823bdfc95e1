package com.estatechat.amqp.control;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A consumer on one user's inbox, with manual acks and a prefetch limit, on a {@link ConsumerChannel}
 * shared with other users' consumers. Every channel operation runs on that channel's owner. Ending the
 * subscription cancels the consumer, and every delivery it left unsettled goes back to the inbox.
 * <p>
 * A subscription also ends when its channel or connection goes: the listener is told
 * ({@link InboxListener#onLost}) and the owner of the listener subscribes again once the broker is there.
 */
public final class InboxSubscription {

    private final String userId;
    private final ConsumerChannel carrier;
    private final InboxListener listener;
    private final AtomicInteger settling = new AtomicInteger();
    // set on the carrier's owner before the consumer starts
    private volatile String consumerTag;
    /** The dead-letter exchange when the broker does not dead-letter rejects itself; else null. */
    private volatile String deadLetterCopyTo;
    private volatile boolean closeRequested;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completes once nothing of it is left on the channel: ended, lost, cancelled by the broker, or never started. */
    private final CompletableFuture<Void> over = new CompletableFuture<>();

    InboxSubscription(String userId, ConsumerChannel carrier, InboxListener listener) {
        this.userId = userId;
        this.carrier = carrier;
        this.listener = listener;
    }

    /** On the carrier's owner, just before the consumer starts. */
    void startingAs(String tag, String deadLetterCopyTo) {
        this.consumerTag = tag;
        this.deadLetterCopyTo = deadLetterCopyTo;
    }

    String consumerTag() {
        return consumerTag;
    }

    InboxListener listener() {
        return listener;
    }

    ConsumerChannel carrier() {
        return carrier;
    }

    public String userId() {
        return userId;
    }

    /**
     * False once the subscription is ending: closed or asked to close by the server (it may wait for
     * settlements in progress), or lost (then it never comes back).
     */
    public boolean isOpen() {
        return !closed.get() && !closeRequested;
    }

    /** Removes the delivery from the inbox: the work it stands for is done. Coalesced with others. */
    public void ack(long deliveryTag) {
        carrier.execute(() -> carrier.ack(this, deliveryTag));
    }

    /** Returns the delivery to the inbox, to come again. */
    public void requeue(long deliveryTag) {
        carrier.execute(() -> carrier.requeue(this, deliveryTag));
    }

    /**
     * Refuses a delivery that can never be handled: the broker dead-letters it. A broker that does
     * not dead-letter rejects (Qpid Broker-J keeps them and offers them again) gets a copy
     * published to the dead-letter exchange, and then the ack.
     */
    public void deadLetter(InboxDelivery delivery) {
        String copyTo = deadLetterCopyTo;
        carrier.execute(() -> carrier.deadLetter(this, delivery, copyTo));
    }

    /**
     * A settlement has begun that will end in {@link #ack} or {@link #requeue} (or nothing) and then
     * {@link #release}: the end waits for it, so that an ack the client sent just before leaving is
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
     * Cancels the consumer at once, and ends the subscription once settlements in progress are over
     * (each once its receipt is confirmed or refused, without a time limit): its unsettled deliveries
     * go back to the inbox.
     */
    public void close() {
        closeRequested = true;
        carrier.execute(() -> carrier.cancel(this));
        if (settling.get() == 0) {
            closeNow();
        }
    }

    private void closeNow() {
        if (ended()) {
            carrier.execute(() -> carrier.end(this));
        }
    }

    /** Marks the subscription over; true the first time only. */
    boolean ended() {
        return closed.compareAndSet(false, true);
    }

    /** Nothing of it is left on its channel: what it left unsettled went back (or went with the channel). */
    void gone() {
        over.complete(null);
    }

    /** Completes once nothing of it is left on its channel; completed on its carrier's owner. */
    CompletableFuture<Void> over() {
        return over;
    }

    /**
     * Completes once nothing of it is left on its channel: what it left unsettled went back and its
     * acks were written (on its carrier's owner; continue elsewhere with an async stage).
     */
    public CompletionStage<Void> whenOver() {
        return over.minimalCompletionStage();
    }
}
