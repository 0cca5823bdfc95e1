package com.estatechat.history.control;

import com.github.f4b6a3.uuid.UuidCreator;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Server-assigned message ids: UUID version 7 (RFC 9562), unique and ordered by creation time, so
 * that ids sort in the order the server accepted the messages, also within one millisecond.
 */
@ApplicationScoped
public class MessageIds {

    /** What a message id looks like on the wire: checked wherever a client names one. */
    public static final java.util.regex.Pattern PATTERN = java.util.regex.Pattern.compile("[0-9a-f-]{36}");

    public static boolean isMessageId(String candidate) {
        return candidate != null && PATTERN.matcher(candidate).matches();
    }

    public String next() {
        return UuidCreator.getTimeOrderedEpochPlus1().toString();
    }
}
