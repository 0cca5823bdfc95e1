package com.estatechat.chat.entity;

/** A client frame that cannot be accepted, with the error code and words to send back. */
public class FrameRejected extends Exception {

    private final ErrorCode code;
    private final String clientMsgId;
    private final String messageId;
    private final Long retryAfterMs;

    public FrameRejected(ErrorCode code, String message, String clientMsgId, String messageId) {
        this(code, message, clientMsgId, messageId, null);
    }

    /** A refusal that tells the client when to try again ({@code retry_after_ms}). */
    public FrameRejected(ErrorCode code, String message, String clientMsgId, String messageId, Long retryAfterMs) {
        super(message, null, false, false);
        this.code = code;
        this.clientMsgId = clientMsgId;
        this.messageId = messageId;
        this.retryAfterMs = retryAfterMs;
    }

    public FrameRejected(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public ErrorFrame toFrame() {
        return ErrorFrame.of(code, getMessage(), clientMsgId, messageId, retryAfterMs);
    }

    public ErrorCode code() {
        return code;
    }
}
