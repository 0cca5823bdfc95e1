package com.estatechat.chat.entity;

/** A client frame that cannot be accepted, with the error code and words to send back. */
public class FrameRejected extends Exception {

    private final ErrorCode code;
    private final String clientMsgId;
    private final String messageId;

    public FrameRejected(ErrorCode code, String message, String clientMsgId, String messageId) {
        super(message, null, false, false);
        this.code = code;
        this.clientMsgId = clientMsgId;
        this.messageId = messageId;
    }

    public FrameRejected(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public ErrorFrame toFrame() {
        return ErrorFrame.of(code, getMessage(), clientMsgId, messageId);
    }

    public ErrorCode code() {
        return code;
    }
}
