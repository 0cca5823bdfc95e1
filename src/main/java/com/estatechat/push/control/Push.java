package com.estatechat.push.control;

import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * The body of one webhook call ({@code type} is always {@code push}): the newest of the
 * {@code count} messages to {@code userId} that no device acked, with a preview of its text
 * (absent when previews are off).
 */
@JsonbPropertyOrder({"type", "userId", "messageId", "senderId", "senderRole", "sentAt", "preview", "count"})
public record Push(String type, String userId, String messageId, String senderId, String senderRole, String sentAt,
        String preview, int count) {

    public static final String TYPE = "push";

    /** A push of the newest message; its text cut to {@code previewChars} characters (code points), none for 0. */
    public static Push of(String userId, String messageId, String senderId, String senderRole, String sentAt,
            String text, int previewChars, int count) {
        return new Push(TYPE, userId, messageId, senderId, senderRole, sentAt, preview(text, previewChars), count);
    }

    static String preview(String text, int chars) {
        if (chars == 0 || text == null) {
            return null;
        }
        if (text.codePointCount(0, text.length()) <= chars) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, chars));
    }
}
