package com.estatechat.amqp.control;

import java.io.IOException;

/**
 * The inbox exists with other arguments than the server's settings ask for (RabbitMQ answered the
 * declare with 406 PRECONDITION_FAILED and closed the channel): it was declared before the
 * settings changed. The caller goes on with the inbox as it is, on a new channel.
 */
public class InboxArgumentsMismatch extends IOException {

    public InboxArgumentsMismatch(String queue, Throwable cause) {
        super("the inbox " + queue + " exists with other arguments than chat.amqp.queue-type, chat.inbox.max-length,"
                + " chat.inbox.message-ttl and chat.inbox.expires ask for", cause);
    }
}
