package com.estatechat.amqp.control;

/**
 * What another node said about a user ({@link NodeNotices}).
 *
 * @param type {@link NodeNotices#HELLO}, {@link NodeNotices#HERE}, {@link NodeNotices#BYE},
 *        {@link NodeNotices#COPY}, {@link NodeNotices#ACK}, or {@link NodeNotices#GONE} (made here)
 * @param fromNode the id of the node that said it
 * @param messageId the message a copy or an ack is about; null for a copy of receipts and the others
 * @param body a copy's frame as the client sees it; null for the others
 */
public record NodeNotice(String type, String userId, String fromNode, String messageId, String body) {
}
