package com.estatechat.support;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Calls the user directory ({@code /api/users/{id}}) of the app at {@code base}. In {@code none}
 * mode the caller names itself as a handshake does, with {@code id} and {@code role} parameters.
 */
public final class UserDirectoryClient {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private UserDirectoryClient() {
    }

    /** Provisions {@code userId} as an admin of {@code none} mode; fails the test unless it answers 200. */
    public static void provision(URI base, String userId, String role) {
        HttpResponse<String> response = put(base, userId, "{\"role\":\"" + role + "\"}", Map.of("id", "test-admin",
                "role", "admin"), Map.of());
        if (response.statusCode() != 200) {
            throw new AssertionError("provisioning " + userId + " answered " + response.statusCode() + " "
                    + response.body());
        }
    }

    public static HttpResponse<String> put(URI base, String userId, String body, Map<String, String> caller,
            Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(base, userId, caller))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return send(request.build());
    }

    public static HttpResponse<String> delete(URI base, String userId, Map<String, String> caller) {
        return send(HttpRequest.newBuilder(uri(base, userId, caller)).DELETE().build());
    }

    private static URI uri(URI base, String userId, Map<String, String> caller) {
        String root = base.toString().endsWith("/") ? base.toString() : base + "/";
        StringBuilder query = new StringBuilder();
        caller.forEach((name, value) -> query.append(query.length() == 0 ? "?" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return URI.create(root + "api/users/" + URLEncoder.encode(userId, StandardCharsets.UTF_8) + query);
    }

    private static HttpResponse<String> send(HttpRequest request) {
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
