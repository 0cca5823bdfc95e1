package com.estatechat.chat.control;

import com.estatechat.amqp.control.InboxDelivery;
import com.estatechat.amqp.control.OutgoingMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The broker messages in a user's inbox, written and read here only. Three kinds (the AMQP
 * {@code type}):
 * <ul>
 * <li>{@code message}: the body is the {@code message} frame the recipient sees; headers
 * {@code sender_id} and, when the client gave one, {@code client_msg_id}, so that a first delivery
 * goes out without decoding its body;</li>
 * <li>{@code receipt}: the body is one receipt frame; header {@code receipt_of}, the id of the message
 * it is about;</li>
 * <li>{@code receipts}: several receipt frames to one sender, one per line (the codec writes no line
 * break inside a frame); header {@code receipts_of}, the ids they are about, in the same order.</li>
 * </ul>
 * A node of an earlier version dead-letters a kind it does not know (docs/operations.md: rolling
 * upgrades). The publisher may add {@code republished} (see {@code PublisherLane}).
 */
final class InboxMessages {

    static final String KIND_MESSAGE = "message";
    static final String KIND_RECEIPT = "receipt";
    static final String KIND_RECEIPTS = "receipts";
    static final String HEADER_CLIENT_MSG_ID = "client_msg_id";
    static final String HEADER_SENDER_ID = "sender_id";
    static final String HEADER_RECEIPT_OF = "receipt_of";
    static final String HEADER_RECEIPTS_OF = "receipts_of";

    private InboxMessages() {
    }

    /** A chat message for {@code targetId}'s inbox (or a broadcast key); {@code clientMsgId} may be null. */
    static OutgoingMessage message(String messageId, String senderId, String clientMsgId, String targetId,
            String frame, boolean broadcast) {
        Map<String, Object> headers = clientMsgId == null ? Map.of(HEADER_SENDER_ID, senderId)
                : Map.of(HEADER_SENDER_ID, senderId, HEADER_CLIENT_MSG_ID, clientMsgId);
        return new OutgoingMessage(messageId, KIND_MESSAGE, targetId, frame.getBytes(StandardCharsets.UTF_8), headers,
                broadcast);
    }

    /** Receipt frames for {@code senderId}'s inbox, each about the message at the same place in {@code about}. */
    static OutgoingMessage receipts(String messageId, String senderId, List<String> frames, List<String> about) {
        if (frames.size() == 1) {
            return OutgoingMessage.toUser(messageId, KIND_RECEIPT, senderId,
                    frames.get(0).getBytes(StandardCharsets.UTF_8), Map.of(HEADER_RECEIPT_OF, about.get(0)));
        }
        return OutgoingMessage.toUser(messageId, KIND_RECEIPTS, senderId,
                String.join("\n", frames).getBytes(StandardCharsets.UTF_8), Map.of(HEADER_RECEIPTS_OF, about));
    }

    static boolean isMessage(InboxDelivery delivery) {
        return KIND_MESSAGE.equals(delivery.kind());
    }

    static boolean isReceipt(InboxDelivery delivery) {
        return KIND_RECEIPT.equals(delivery.kind()) || KIND_RECEIPTS.equals(delivery.kind());
    }

    /** A message's sender, from its header; null for a message written before the header existed. */
    static String senderId(InboxDelivery delivery) {
        return delivery.header(HEADER_SENDER_ID);
    }

    /** A message's client id, from its header; null when the client gave none. */
    static String clientMsgId(InboxDelivery delivery) {
        return delivery.header(HEADER_CLIENT_MSG_ID);
    }

    /** A receipt delivery's frames, in order. */
    static List<String> receiptFrames(InboxDelivery delivery) {
        String body = new String(delivery.body(), StandardCharsets.UTF_8);
        return KIND_RECEIPTS.equals(delivery.kind()) ? List.of(body.split("\n")) : List.of(body);
    }

    /** The ids of the messages a receipt delivery's frames are about, in their order. */
    static List<String> receiptsAbout(InboxDelivery delivery) {
        return KIND_RECEIPTS.equals(delivery.kind()) ? delivery.headerList(HEADER_RECEIPTS_OF)
                : Stream.ofNullable(delivery.header(HEADER_RECEIPT_OF)).toList();
    }
}
