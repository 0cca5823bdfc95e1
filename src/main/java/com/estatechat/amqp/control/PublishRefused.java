package com.estatechat.amqp.control;

/** The broker answered a publish with a negative confirm: it did not store the message (for example a full inbox). */
public class PublishRefused extends RuntimeException {

    public PublishRefused(String message) {
        super(message);
    }
}
