package com.estatechat.auth.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.RawHandshake;
import com.estatechat.support.ServerMetrics;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The WAR's own default: jwt without a key admits no one, and readiness says which key is missing. */
@ExtendWith(ArquillianExtension.class)
class SecureDefaultIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        // the test helper sets mode none; put the WAR's default back
        return Deployments.chat("secure", Map.of("chat.auth.mode", "jwt"));
    }

    @ArquillianResource
    URL base;

    @Test
    void withoutAKeyEveryHandshakeIsRefusedAndTheServerIsNotReady() throws Exception {
        URI root = Deployments.root(base, "secure");
        assertThat(ChatClient.refusedStatus(ChatClient.uri(root, "alice", null), Map.of())).isEqualTo(401);
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(root.resolve("/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("authentication").contains("chat.auth.jwt.secret");
        HttpResponse<String> live = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(root.resolve("/health/live")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
    }

    @Test
    void aRefusalNamesOnlyItsStatus() {
        URI root = Deployments.root(base, "secure");
        RawHandshake.Response refused = RawHandshake.send(ChatClient.uri(root, "alice", null),
                Map.of("Origin", "https://evil.example"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).isEqualTo("forbidden");
        // the reason (no key: chat.auth.jwt.secret…) is for readiness and the log, not for whoever knocks
        refused = RawHandshake.send(ChatClient.uri(root, "alice", null), Map.of());
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.body()).isEqualTo("unauthorized");
    }

    /** The page's policy comes as HTTP headers: a {@code <meta>} policy cannot forbid framing. */
    @Test
    void thePageComesWithSecurityHeaders() throws Exception {
        URI root = Deployments.root(base, "secure");
        HttpClient http = HttpClient.newHttpClient();
        for (URI page : new URI[] {root, root.resolve("index.html"), root.resolve("js/app.js"), root.resolve("css/chat.css")}) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(page).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(page.toString()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Security-Policy")).as(page.toString())
                    .hasValueSatisfying(policy -> assertThat(policy).contains("default-src 'self'")
                            .contains("frame-ancestors 'none'").contains("object-src 'none'"));
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        }
    }

    /**
     * The application's metrics exist from startup, before any connection succeeded: they were
     * registered with the first session, and a monitor asked for them got 404 "Not available scope
     * to consume" (HostileInputIT failed so on a fresh clone).
     */
    @Test
    void applicationMetricsExistBeforeAnyConnection() {
        URI root = Deployments.root(base, "secure");
        Map<String, Double> metrics = ServerMetrics.read(root);
        assertThat(metrics).containsEntry("chat_sessions_open", 0.0).containsKey("chat_messages_accepted_total");
    }
}
