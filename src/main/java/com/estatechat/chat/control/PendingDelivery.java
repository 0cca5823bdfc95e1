package com.estatechat.chat.control;

import com.estatechat.json.JsonCodec;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.chat.entity.MessageFrame;

/**
 * A message handed to a user's connections and not yet acked by any of them. It holds the broker
 * delivery open (and counts against the prefetch limit) until the client acks it.
 *
 * @param frame the JSON the connections are sent
 * @param decodedFrame {@code frame} decoded, or null while nothing needed it: a first delivery
 *        goes out as it came, undecoded ({@link OnlineUser}), and is decoded at its ack, which
 *        records its fields in the conversation store; a redelivery is decoded when it arrives
 * @param shown whether a connection was sent it: one that joins later gets it marked
 *        {@code redelivered}, since the user may have seen it
 * @param shownAt when a connection was first sent it ({@link System#nanoTime()}); meaningless until
 *        {@code shown}: the ack deadline counts from then
 */
record PendingDelivery(String messageId, String senderId, String clientMsgId, String frame,
        MessageFrame decodedFrame, long deliveryTag, InboxSubscription subscription, boolean shown, long shownAt) {

    PendingDelivery asShown(long now) {
        return shown ? this : new PendingDelivery(messageId, senderId, clientMsgId, frame, decodedFrame,
                deliveryTag, subscription, true, now);
    }

    /** This delivery with its frame decoded: at most once, by whoever needs it first. */
    PendingDelivery withDecodedFrame(JsonCodec codec) {
        return decodedFrame != null ? this : new PendingDelivery(messageId, senderId, clientMsgId, frame,
                codec.fromJson(frame, MessageFrame.class), deliveryTag, subscription, shown, shownAt);
    }
}
