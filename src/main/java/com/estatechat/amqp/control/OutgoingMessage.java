package com.estatechat.amqp.control;

import java.util.Map;

/**
 * One message for a user's inbox: persistent, unless said otherwise.
 *
 * @param messageId the server-assigned id, also the AMQP {@code message-id}
 * @param kind the AMQP {@code type}: {@code message} or {@code receipt}
 * @param recipient the routing key: a user id (its inbox), or a broadcast key bound by many inboxes
 * @param body the JSON frame as the recipient will see it
 * @param headers small extra facts the server needs when the message is delivered
 * @param broadcast true for a broadcast key: no single inbox is declared for it, and a broadcast
 *        that no inbox is bound to is stored nowhere but is not an error
 * @param persistent false for a transient message: the broker keeps it in memory only, and a
 *        broker restart drops it
 */
public record OutgoingMessage(String messageId, String kind, String recipient, byte[] body,
        Map<String, Object> headers, boolean broadcast, boolean persistent) {

    /** A persistent message, for one user's inbox or a broadcast key. */
    public OutgoingMessage(String messageId, String kind, String recipient, byte[] body,
            Map<String, Object> headers, boolean broadcast) {
        this(messageId, kind, recipient, body, headers, broadcast, true);
    }

    /** A persistent message for one user's inbox. */
    public static OutgoingMessage toUser(String messageId, String kind, String userId, byte[] body,
            Map<String, Object> headers) {
        return new OutgoingMessage(messageId, kind, userId, body, headers, false);
    }

    /** The same message, persistent or not. */
    public OutgoingMessage persistent(boolean wanted) {
        return wanted == persistent ? this
                : new OutgoingMessage(messageId, kind, recipient, body, headers, broadcast, wanted);
    }
}
