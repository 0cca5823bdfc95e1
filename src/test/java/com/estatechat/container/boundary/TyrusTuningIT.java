package com.estatechat.container.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * On Payara Micro, the frames of chat sessions no longer take Tyrus's idle-timeout check through
 * the managed scheduler (whose context capture scanned the class loader's jars on every frame),
 * while an idle timeout that is set is still enforced.
 */
@ExtendWith(ArquillianExtension.class)
class TyrusTuningIT {

    private static final String NAME = "tyrustuning";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat(NAME, Map.of()).addClasses(SchedulerProbe.class, IdleTimeoutProbe.class);
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, NAME);
    }

    @Test
    void chatFramesSkipTheManagedScheduler() {
        Map<String, String> before = probe();
        assertThat(before).as("what Tyrus's container holds").containsEntry("scheduler",
                "com.estatechat.container.control.IdleCheckSkipper");
        assertThat(before.get("managed")).as("the scheduler it had").contains("ManagedScheduledExecutorService");

        int messages = 30;
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            for (int i = 0; i < messages; i++) {
                a.sendMessage(bob, "m" + i, "c" + i);
            }
            for (int i = 0; i < messages; i++) {
                b.receiveAndAck();
            }
            for (int i = 0; i < messages; i++) {
                a.next(frame -> "delivered".equals(frame.getString("status", null)));
            }
        }
        Map<String, String> after = probe();

        long skipped = count(after, "skipped") - count(before, "skipped");
        long passedOn = count(after, "passedOn") - count(before, "passedOn");
        // the server received 2 × 30 frames (messages, acks) and sent more than that (receipts, messages):
        // each rescheduled the check, and every one of them was skipped
        assertThat(skipped).as("idle-timeout checks skipped").isGreaterThanOrEqualTo(4L * messages);
        // at most one per session (the container's default timeout at its creation), not one per frame
        assertThat(passedOn).as("tasks handed to the managed scheduler").isLessThanOrEqualTo(2);
    }

    @Test
    void anIdleTimeoutStillClosesTheSession() throws Exception {
        long passedOnBefore = count(probe(), "passedOn");
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        URI idle = URI.create(base().toString().replaceFirst("^http", "ws")).resolve("test/idle");
        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(idle, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete(-1);
            }
        }).get(15, TimeUnit.SECONDS);
        try {
            long start = System.nanoTime();
            // closed by the container after 500 ms of silence, on the managed scheduler as before
            closed.get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(IdleTimeoutProbe.IDLE_TIMEOUT_MS - 100));
            assertThat(count(probe(), "passedOn")).isGreaterThan(passedOnBefore);
        } finally {
            socket.abort();
        }
    }

    private static long count(Map<String, String> probe, String key) {
        return Long.parseLong(probe.getOrDefault(key, "0"));
    }

    private Map<String, String> probe() {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(base().resolve("test/tyrus-scheduler"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Map<String, String> values = new HashMap<>();
            for (String line : body.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return values;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the scheduler probe", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
