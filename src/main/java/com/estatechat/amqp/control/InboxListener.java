package com.estatechat.amqp.control;

/** Receives what a user's inbox consumer gets from the broker. Called on the client library's dispatch thread. */
public interface InboxListener {

    void onDelivery(InboxDelivery delivery);

    /** The consumer is gone for good (queue deleted, channel closed by an error); subscribe again to go on. */
    void onLost(String reason);
}
