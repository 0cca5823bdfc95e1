package com.estatechat.container.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ApiClient;
import com.estatechat.support.Deployments;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients that speak HTTP/2 (the JDK's HttpClient asks for h2c by default; browsers speak h2 over
 * TLS). Grizzly's HTTP/2 takes a stream's output lock and then its session's when a response
 * ends, and the two in the other order when the client sends GOAWAY: 40 REST calls of distinct
 * users over one HTTP/2 connection deadlocked the conversation store's read threads for good on
 * Payara Micro 6.2025.10, so every later read, of anyone, hung. The listeners speak HTTP/1.1 only
 * (payara-config/pre-boot-commands.asadmin): such clients are answered over HTTP/1.1, except that a
 * request asking for h2c with a body is refused at once (Grizzly would keep the body from it).
 */
@ExtendWith(ArquillianExtension.class)
class Http2ClientsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("http2", Map.of());
    }

    @ArquillianResource
    URL base;

    @Test
    void manyReadsOverOneHttp2ClientAreAllAnsweredAndTheStoreStaysAvailable() {
        HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        Map<String, Integer> outcomes = new TreeMap<>();
        for (int round = 0; round < 3; round++) {
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                calls.add(http2.sendAsync(read(user("h2reader")), HttpResponse.BodyHandlers.ofString()));
            }
            calls.forEach(call -> outcomes.merge(outcome(call), 1, Integer::sum));
        }

        assertThat(outcomes).as("the answers to 120 reads over HTTP/2, by outcome").containsOnlyKeys("200");
        HttpResponse<String> later = ApiClient.send(read(user("later")));
        assertThat(later.statusCode()).as("a read after them, over HTTP/1.1").isEqualTo(200);
    }

    @Test
    void aBodyOfferedWithAnH2cUpgradeIsRefusedAtOnceAndTheSameOverHttp11IsServed() {
        HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        String userId = user("h2put");
        HttpResponse<String> upgrade = http2.sendAsync(provision(userId, Duration.ofSeconds(5)),
                HttpResponse.BodyHandlers.ofString()).join();
        assertThat(upgrade.statusCode()).as("a PUT offering h2c, answered within 5 s").isEqualTo(400);
        assertThat(upgrade.body()).contains("HTTP/1.1 only");

        HttpResponse<String> plain = ApiClient.send(provision(userId, PATIENCE));
        assertThat(plain.statusCode()).as("the same PUT over HTTP/1.1: " + plain.body()).isEqualTo(200);
    }

    private HttpRequest provision(String userId, Duration timeout) {
        URI uri = ApiClient.uri(Deployments.root(base, "http2"), "users/" + userId, Map.of("id", "ops", "role", "admin"));
        return HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"role\":\"tenant\"}")).build();
    }

    private HttpRequest read(String userId) {
        URI uri = ApiClient.uri(Deployments.root(base, "http2"), "conversations", Map.of("id", userId, "role", "tenant"));
        return HttpRequest.newBuilder(uri).timeout(PATIENCE).GET().build();
    }

    private static String outcome(CompletableFuture<HttpResponse<String>> call) {
        try {
            return Integer.toString(call.join().statusCode());
        } catch (CompletionException e) {
            return e.getCause().getClass().getSimpleName();
        }
    }
}
