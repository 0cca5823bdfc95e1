package com.estatechat.support;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Calls the REST API ({@code /api/…}) of the app at {@code base}. In {@code none} mode the caller
 * names itself as a handshake does, with {@code id} and {@code role} parameters among the others.
 */
public final class ApiClient {

    /** HTTP/1.1, as docs/protocol.md asks of REST clients: the server refuses an h2c upgrade that carries a body. */
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ApiClient() {
    }

    /** {@code GET /api/<path>?<parameters>}, each parameter URL-encoded. */
    public static HttpResponse<String> get(URI base, String path, Map<String, String> parameters) {
        return send(HttpRequest.newBuilder(uri(base, path, parameters)).GET().build());
    }

    /** The URI of {@code /api/<path>} (already encoded) with the parameters encoded as a query. */
    public static URI uri(URI base, String path, Map<String, String> parameters) {
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        StringBuilder query = new StringBuilder();
        parameters.forEach((name, value) -> query.append(query.length() == 0 ? "?" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return URI.create(root + "api/" + path + query);
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
