package com.estatechat.amqp.control;

import java.util.List;
import java.util.Map;

/** One message handed out from a user's inbox; it stays unacked on the broker until settled. */
public record InboxDelivery(long deliveryTag, boolean redelivered, String kind, String messageId, byte[] body,
        Map<String, Object> headers) {

    /** A header as a string; the client library hands text headers over as {@code LongString}. */
    public String header(String name) {
        Object value = headers == null ? null : headers.get(name);
        return value == null ? null : value.toString();
    }

    /** A header that holds a list, as strings; empty when it is missing or not a list. */
    public List<String> headerList(String name) {
        Object value = headers == null ? null : headers.get(name);
        return value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
    }
}
