package com.estatechat.chat.entity;

/**
 * A message from the conversation store, sent to a device that asked to catch up ({@code sync}):
 * one the user received or sent (from any device). {@code synced} tells the client not to ack it;
 * {@code status} is what the store knows of it for its recipient.
 */
public record SyncedFrame(String type, String messageId, String senderId, String senderRole, String targetId,
        String message, String sentAt, String clientMsgId, String status, boolean synced) {

    public static SyncedFrame of(String messageId, String senderId, String senderRole, String targetId, String message,
            String sentAt, String clientMsgId, String status) {
        return new SyncedFrame("message", messageId, senderId, senderRole, targetId, message, sentAt, clientMsgId,
                status, true);
    }
}
