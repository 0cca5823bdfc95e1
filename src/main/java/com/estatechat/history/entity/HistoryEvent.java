package com.estatechat.history.entity;

import jakarta.json.bind.annotation.JsonbCreator;
import jakarta.json.bind.annotation.JsonbProperty;

/**
 * A fact for the conversation store, carried as JSON through the history queue. Three kinds:
 * <ul>
 * <li>{@code message}: the broker accepted a message (its fields; {@code recipientId} is the target);</li>
 * <li>{@code delivered}: {@code recipientId} acked {@code messageId}; it carries the message's
 * fields too, so that the store gets the message even when its {@code message} event was lost
 * (a node that died between the broker's confirm and that event) and has each recipient of a
 * broadcast;</li>
 * <li>{@code read}: {@code recipientId} read every message from {@code senderId} up to
 * {@code messageId}.</li>
 * </ul>
 * Applying an event twice changes nothing.
 */
public record HistoryEvent(
        @JsonbProperty("event") String event,
        @JsonbProperty("message_id") String messageId,
        @JsonbProperty("recipient_id") String recipientId,
        @JsonbProperty("sender_id") String senderId,
        @JsonbProperty("sender_role") String senderRole,
        @JsonbProperty("target_id") String targetId,
        @JsonbProperty("message") String message,
        @JsonbProperty("client_msg_id") String clientMsgId,
        @JsonbProperty("sent_at") String sentAt,
        @JsonbProperty("at") String at) {

    public static final String MESSAGE = "message";
    public static final String DELIVERED = "delivered";
    public static final String READ = "read";

    /**
     * JSON-B's creator, its parameters named by the annotations: an agent that retransforms this class
     * on JDK 17 drops the parameters' own names (JDK-8240908), and JSON-B would decode a record of nulls.
     */
    @JsonbCreator
    public HistoryEvent {
    }

    public static HistoryEvent message(String messageId, String senderId, String senderRole, String targetId,
            String message, String clientMsgId, String sentAt) {
        return new HistoryEvent(MESSAGE, messageId, targetId, senderId, senderRole, targetId, message, clientMsgId,
                sentAt, sentAt);
    }

    public static HistoryEvent delivered(String recipientId, String at, String messageId, String senderId,
            String senderRole, String targetId, String message, String clientMsgId, String sentAt) {
        return new HistoryEvent(DELIVERED, messageId, recipientId, senderId, senderRole, targetId, message,
                clientMsgId, sentAt, at);
    }

    public static HistoryEvent read(String readerId, String senderId, String upToMessageId, String at) {
        return new HistoryEvent(READ, upToMessageId, readerId, senderId, null, null, null, null, null, at);
    }
}
