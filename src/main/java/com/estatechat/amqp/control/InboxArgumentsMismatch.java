package com.estatechat.amqp.control;

import java.io.IOException;

/**
 * The inbox exists with other arguments than the server's settings ask for (RabbitMQ answered the
 * declare with 406 PRECONDITION_FAILED and closed the channel): it was declared before the
 * settings changed. The caller goes on with the inbox as it is, on a new channel. Also: such an
 * inbox, or one this node declared, was deleted since ({@link #deletedSince}); going on declares it anew.
 */
public class InboxArgumentsMismatch extends IOException {

    public InboxArgumentsMismatch(String queue, Throwable cause) {
        this("the inbox " + queue, "chat.amqp.queue-type, chat.inbox.max-length, chat.inbox.message-ttl and"
                + " chat.inbox.expires", cause);
    }

    /** A queue of the server's other than an inbox: {@code what} names it, {@code keys} the settings of its arguments. */
    public InboxArgumentsMismatch(String what, String keys, Throwable cause) {
        super(what + " exists with other arguments than " + keys + " ask for", cause);
    }

    private InboxArgumentsMismatch(Throwable cause, String message) {
        super(message, cause);
    }

    /** The inbox this node declared was deleted since (a passive declare's 404 closed the channel). */
    static InboxArgumentsMismatch deletedSinceDeclared(String queue, Throwable cause) {
        return new InboxArgumentsMismatch(cause, "the inbox " + queue + ", declared by this node, was deleted"
                + " since: it is declared again");
    }

    /** The inbox was found with other arguments, and a passive declare finds it no more (404 closed the channel). */
    static InboxArgumentsMismatch deletedSince(String queue, Throwable cause) {
        return new InboxArgumentsMismatch(cause, "the inbox " + queue + ", found with other arguments, was deleted"
                + " since: it is declared again");
    }
}
