package com.estatechat.chat.entity;

import jakarta.json.bind.annotation.JsonbCreator;
import jakarta.json.bind.annotation.JsonbProperty;

/** Tells a sender what became of its message: {@code queued} (stored by the broker), {@code delivered} or {@code read}. */
public record ReceiptFrame(
        @JsonbProperty("type") String type,
        @JsonbProperty("message_id") String messageId,
        @JsonbProperty("status") String status,
        @JsonbProperty("target_id") String targetId,
        @JsonbProperty("client_msg_id") String clientMsgId,
        @JsonbProperty("at") String at) {

    public static final String QUEUED = "queued";
    public static final String DELIVERED = "delivered";
    public static final String READ = "read";

    /**
     * JSON-B's creator, its parameters named by the annotations: an agent that retransforms this class
     * on JDK 17 drops the parameters' own names (JDK-8240908), and JSON-B would decode a record of nulls.
     */
    @JsonbCreator
    public ReceiptFrame {
    }

    public static ReceiptFrame of(String messageId, String status, String targetId, String clientMsgId, String at) {
        return new ReceiptFrame("receipt", messageId, status, targetId, clientMsgId, at);
    }
}
