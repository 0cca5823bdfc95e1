package com.estatechat.amqp.control;

import java.util.Map;

/**
 * One persistent message for a user's inbox.
 *
 * @param messageId the server-assigned id, also the AMQP {@code message-id}
 * @param kind the AMQP {@code type}: {@code message} or {@code receipt}
 * @param recipient the user id, which is the routing key of its inbox
 * @param body the JSON frame as the recipient will see it
 * @param headers small extra facts the server needs when the message is delivered
 */
public record OutgoingMessage(String messageId, String kind, String recipient, byte[] body,
        Map<String, Object> headers) {
}
