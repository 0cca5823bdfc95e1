package com.estatechat.chat.entity;

/**
 * A frame as a client sends it, before validation. Field names on the wire are snake_case
 * ({@code target_id}, {@code client_msg_id}); a frame without {@code type} that has
 * {@code target_id} and {@code message} is a chat message, as in the original protocol. An
 * {@code auth} frame carries a fresh {@code access_token} for the connected user; a {@code sync}
 * frame names the last message the device has ({@code since}).
 */
public record ClientFrame(String type, String targetId, String message, String senderId, String clientMsgId,
        String messageId, String accessToken, String since) {

    public static final String MESSAGE = "message";
    public static final String ACK = "ack";
    public static final String READ = "read";
    public static final String AUTH = "auth";
    public static final String SYNC = "sync";

    /** Leaves the access token out: a frame may end up in a log line. */
    @Override
    public String toString() {
        return "ClientFrame[type=" + type + ", targetId=" + targetId + ", senderId=" + senderId + ", clientMsgId="
                + clientMsgId + ", messageId=" + messageId + (accessToken == null ? "" : ", accessToken=<hidden>") + "]";
    }
}
