package com.estatechat.chat.entity;

import com.estatechat.json.FlatJson;
import jakarta.json.bind.annotation.JsonbCreator;
import jakarta.json.bind.annotation.JsonbProperty;
import jakarta.json.stream.JsonGenerator;

/** Tells a sender what became of its message: {@code queued} (stored by the broker), {@code delivered} or {@code read}. */
public record ReceiptFrame(
        @JsonbProperty("type") String type,
        @JsonbProperty("message_id") String messageId,
        @JsonbProperty("status") String status,
        @JsonbProperty("target_id") String targetId,
        @JsonbProperty("client_msg_id") String clientMsgId,
        @JsonbProperty("at") String at) implements FlatJson {

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

    @Override
    public void writeMembers(JsonGenerator json) {
        FlatJson.member(json, "at", at);
        FlatJson.member(json, "client_msg_id", clientMsgId);
        FlatJson.member(json, "message_id", messageId);
        FlatJson.member(json, "status", status);
        FlatJson.member(json, "target_id", targetId);
        FlatJson.member(json, "type", type);
    }
}
