package com.estatechat.chat.control;

import com.estatechat.amqp.control.InboxSubscription;

/**
 * A message handed to a user's connections and not yet acked by any of them. It holds the broker
 * delivery open (and counts against the prefetch limit) until the client acks it.
 *
 * @param shown whether a connection was sent it: one that joins later gets it marked
 *        {@code redelivered}, since the user may have seen it
 */
record PendingDelivery(String messageId, String senderId, String clientMsgId, String frame,
        long deliveryTag, InboxSubscription subscription, boolean shown) {

    PendingDelivery asShown() {
        return shown ? this : new PendingDelivery(messageId, senderId, clientMsgId, frame, deliveryTag, subscription, true);
    }
}
