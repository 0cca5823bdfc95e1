package com.estatechat.auth.entity;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a handshake request carries that identity is derived from: its query parameters and its
 * headers. Both the servlet filter (which can answer with an HTTP status) and the WebSocket
 * configurator (which stores the identity on the session) see the request through this view. A
 * header given several times reads as its values joined with {@code ", "}, as HTTP defines it.
 */
public record HandshakeCredentials(Function<String, String> parameter, Function<String, String> header) {

    /** The chat's WebSocket subprotocol, which the server selects when a client offers it. */
    public static final String PROTOCOL = "estate-chat.v1";
    public static final String PROTOCOL_HEADER = "Sec-WebSocket-Protocol";

    /** From the multi-valued maps that a WebSocket {@code HandshakeRequest} offers. */
    public static HandshakeCredentials of(Map<String, List<String>> parameters, Map<String, List<String>> headers) {
        return new HandshakeCredentials(name -> first(parameters.get(name)), name -> headerValue(headers, name));
    }

    /** The subprotocols the client offers ({@code Sec-WebSocket-Protocol}), in its order. */
    public List<String> subprotocols() {
        return subprotocols(header.apply(PROTOCOL_HEADER));
    }

    /** The comma-separated tokens of a {@code Sec-WebSocket-Protocol} value; none for null. */
    public static List<String> subprotocols(String value) {
        if (value == null) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(protocol -> !protocol.isEmpty()).toList();
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String headerValue(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name)) {
                List<String> values = entry.getValue();
                return values == null || values.isEmpty() ? null : String.join(", ", values);
            }
        }
        return null;
    }
}
