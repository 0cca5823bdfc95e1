package com.estatechat.amqp.control;

/**
 * Receives what a user's inbox consumer gets from the broker. Called on the client library's
 * threads: an implementation only hands the call over to its own lane.
 */
public interface InboxListener {

    /**
     * @param source the subscription the delivery came through, to settle it on; deliveries can
     *        arrive before {@link Inboxes#subscribe} has completed
     */
    void onDelivery(InboxSubscription source, InboxDelivery delivery);

    /**
     * The consumer {@code source} is gone for good (connection lost, channel closed by an error, or
     * cancelled by the broker while its inbox still exists); its unacked deliveries went back to the
     * inbox. Subscribe again to go on.
     */
    void onLost(InboxSubscription source, String reason);

    /**
     * The broker cancelled the consumer {@code source} and its inbox no longer exists: the user was
     * removed. Subscribing again would declare it anew.
     */
    default void onRemoved(InboxSubscription source) {
        onLost(source, "inbox deleted");
    }
}
