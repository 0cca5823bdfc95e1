package com.estatechat.auth.entity;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a handshake request carries that identity is derived from: its query parameters and its
 * headers. Both the servlet filter (which can answer with an HTTP status) and the WebSocket
 * configurator (which stores the identity on the session) see the request through this view.
 */
public record HandshakeCredentials(Function<String, String> parameter, Function<String, String> header) {

    /** From the multi-valued maps that a WebSocket {@code HandshakeRequest} offers. */
    public static HandshakeCredentials of(Map<String, List<String>> parameters, Map<String, List<String>> headers) {
        return new HandshakeCredentials(name -> first(parameters.get(name)), name -> headerValue(headers, name));
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String headerValue(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name)) {
                return first(entry.getValue());
            }
        }
        return null;
    }
}
