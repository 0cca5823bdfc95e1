package com.estatechat.chat.entity;

import java.util.Locale;

/** The error codes of the wire protocol; each refused frame gets exactly one. */
public enum ErrorCode {
    BAD_JSON, BAD_FRAME, SENDER_MISMATCH, SELF_TARGET, FORBIDDEN, TOO_LARGE, RATE_LIMITED, INBOX_FULL, UNAVAILABLE,
    UNKNOWN_MESSAGE, UNKNOWN_USER;

    /** The code as it appears in the {@code code} field: lower snake case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
