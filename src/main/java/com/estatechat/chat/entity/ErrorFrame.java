package com.estatechat.chat.entity;

/**
 * A refused frame: nothing was sent, and the connection stays open.
 *
 * @param retryAfterMs when the server refuses sends for now (the broker blocks publishing, or too
 *        many messages wait for it): a hint of when to try again; null otherwise, and then left out
 */
public record ErrorFrame(String type, String code, String message, String clientMsgId, String messageId,
        Long retryAfterMs) {

    public static ErrorFrame of(ErrorCode code, String message, String clientMsgId, String messageId,
            Long retryAfterMs) {
        return new ErrorFrame("error", code.wireName(), message, clientMsgId, messageId, retryAfterMs);
    }
}
