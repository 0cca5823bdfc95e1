package com.estatechat.chat.entity;

import jakarta.json.bind.annotation.JsonbCreator;
import jakarta.json.bind.annotation.JsonbProperty;

/**
 * A chat message as the recipient sees it. The same JSON is the body of the AMQP message in the
 * recipient's inbox; {@code redelivered} is set from the broker's flag when it goes out.
 */
public record MessageFrame(
        @JsonbProperty("type") String type,
        @JsonbProperty("message_id") String messageId,
        @JsonbProperty("sender_id") String senderId,
        @JsonbProperty("sender_role") String senderRole,
        @JsonbProperty("target_id") String targetId,
        @JsonbProperty("message") String message,
        @JsonbProperty("sent_at") String sentAt,
        @JsonbProperty("redelivered") boolean redelivered) {

    /**
     * JSON-B's creator, its parameters named by the annotations: an agent that retransforms this class
     * on JDK 17 drops the parameters' own names (JDK-8240908), and JSON-B would decode a record of nulls.
     */
    @JsonbCreator
    public MessageFrame {
    }

    /** A new message, not delivered before. */
    public static MessageFrame of(String messageId, String senderId, String senderRole, String targetId,
            String message, String sentAt) {
        return new MessageFrame("message", messageId, senderId, senderRole, targetId, message, sentAt, false);
    }

    public MessageFrame redelivered(boolean flag) {
        return flag == redelivered ? this
                : new MessageFrame(type, messageId, senderId, senderRole, targetId, message, sentAt, flag);
    }
}
