package com.estatechat.amqp.control;

import java.time.Duration;

/**
 * A publish refused before it was written, because the broker does not take messages now (a
 * resource alarm) or the server holds as many as it may for it: the message was not sent, and the
 * sender may try again after {@link #retryAfter()}.
 */
public class PublishingPaused extends BrokerUnavailable {

    private final transient Duration retryAfter;

    public PublishingPaused(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    /** A hint, not a promise: the broker says when an alarm ends only when it ends. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
