package com.estatechat.chat.entity;

/** Tells a sender what became of its message: {@code queued} (stored by the broker), {@code delivered} or {@code read}. */
public record ReceiptFrame(String type, String messageId, String status, String targetId, String clientMsgId,
        String at) {

    public static final String QUEUED = "queued";
    public static final String DELIVERED = "delivered";
    public static final String READ = "read";

    public static ReceiptFrame of(String messageId, String status, String targetId, String clientMsgId, String at) {
        return new ReceiptFrame("receipt", messageId, status, targetId, clientMsgId, at);
    }
}
