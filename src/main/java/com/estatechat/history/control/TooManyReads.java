package com.estatechat.history.control;

import java.time.Duration;

/**
 * A read refused at its user's limits ({@code chat.history.read-limit.*}) before it queued: the
 * store is fine, this user asks too often. Made without a stack trace: a flood makes many.
 */
public class TooManyReads extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Duration retryAfter;

    public TooManyReads(String message, Duration retryAfter) {
        super(message, null, false, false);
        this.retryAfter = retryAfter;
    }

    /** How long the user should wait before it reads again; at least a millisecond. */
    public Duration retryAfter() {
        return retryAfter.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : retryAfter;
    }
}
