package com.estatechat.chat.control;

import com.estatechat.amqp.control.InboxSubscription;

/**
 * A message handed to a user's connections and not yet acked by any of them. It holds the broker
 * delivery open (and counts against the prefetch limit) until the client acks it.
 */
record PendingDelivery(String messageId, String senderId, String clientMsgId, String frame,
        long deliveryTag, InboxSubscription subscription) {
}
