package com.estatechat.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The server's application metrics ({@code /metrics?scope=application}, Prometheus text). */
public final class ServerMetrics {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ServerMetrics() {
    }

    /** Each value by name and labels, without the {@code mp_scope} label: {@code chat_sessions_open}. */
    public static Map<String, Double> read(URI base) {
        String text;
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(base.resolve("/metrics?scope=application"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("GET /metrics?scope=application answered " + response.statusCode() + ": "
                        + response.body());
            }
            text = response.body();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the metrics of " + base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Map<String, Double> values = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, space).replace(",mp_scope=\"application\"", "")
                    .replace("{mp_scope=\"application\"}", "").replace("mp_scope=\"application\",", "");
            values.put(name, Double.parseDouble(line.substring(space + 1)));
        }
        return values;
    }

    /** The sessions open on the server now. */
    public static double sessionsOpen(URI base) {
        return read(base).getOrDefault("chat_sessions_open", -1.0);
    }
}
