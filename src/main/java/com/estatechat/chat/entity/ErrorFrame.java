package com.estatechat.chat.entity;

/** A refused frame: nothing was sent, and the connection stays open. */
public record ErrorFrame(String type, String code, String message, String clientMsgId, String messageId) {

    public static ErrorFrame of(ErrorCode code, String message, String clientMsgId, String messageId) {
        return new ErrorFrame("error", code.wireName(), message, clientMsgId, messageId);
    }
}
