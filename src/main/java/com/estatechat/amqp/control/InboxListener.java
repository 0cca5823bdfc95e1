package com.estatechat.amqp.control;

/** Receives what a user's inbox consumer gets from the broker. Called on the client library's dispatch thread. */
public interface InboxListener {

    /**
     * @param source the subscription the delivery came through, to settle it on; deliveries can
     *        arrive before {@link Inboxes#subscribe} has completed
     */
    void onDelivery(InboxSubscription source, InboxDelivery delivery);

    /** The consumer is gone for good (queue deleted, channel closed by an error); subscribe again to go on. */
    void onLost(String reason);
}
