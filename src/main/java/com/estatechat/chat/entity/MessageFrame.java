package com.estatechat.chat.entity;

/**
 * A chat message as the recipient sees it. The same JSON is the body of the AMQP message in the
 * recipient's inbox; {@code redelivered} is set from the broker's flag when it goes out.
 */
public record MessageFrame(String type, String messageId, String senderId, String senderRole, String targetId,
        String message, String sentAt, boolean redelivered) {

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
