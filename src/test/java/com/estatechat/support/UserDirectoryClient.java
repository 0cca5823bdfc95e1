package com.estatechat.support;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Calls the user directory ({@code /api/users/{id}}) of the app at {@code base}. In {@code none}
 * mode the caller names itself as a handshake does, with {@code id} and {@code role} parameters.
 */
public final class UserDirectoryClient {

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
        return ApiClient.send(request.build());
    }

    public static HttpResponse<String> delete(URI base, String userId, Map<String, String> caller) {
        return ApiClient.send(HttpRequest.newBuilder(uri(base, userId, caller)).DELETE().build());
    }

    private static URI uri(URI base, String userId, Map<String, String> caller) {
        return ApiClient.uri(base, "users/" + URLEncoder.encode(userId, StandardCharsets.UTF_8), caller);
    }
}
