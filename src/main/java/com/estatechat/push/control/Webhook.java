package com.estatechat.push.control;

import com.estatechat.concurrent.Workers;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Calls the operator's webhook: a signed POST per push, tried {@code chat.push.attempts} times
 * with a doubling wait between calls while the answer is a 5xx, 408 or 429, a timeout or no
 * connection; any other answer ends it. Nothing blocks: the JDK's client runs the calls, the waits
 * are scheduled on one {@code chat-push-retry} thread.
 */
@ApplicationScoped
public class Webhook {

    private static final Logger LOG = Logger.getLogger(Webhook.class.getName());

    /** How a push ended: taken by the webhook, or given up with the reason. */
    public record Outcome(boolean taken, String reason) {
    }

    @Inject
    PushSettings settings;

    @Inject
    PushMetrics metrics;

    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Workers.daemonThreads("chat-push-retry"));
    private volatile HttpClient client;
    private volatile String lastFailure;

    private HttpClient client() {
        HttpClient current = client;
        if (current == null) {
            current = HttpClient.newBuilder().connectTimeout(settings.timeout())
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            client = current;
        }
        return current;
    }

    /** Calls the webhook with {@code body}; completes when it was taken or given up, never exceptionally. */
    public CompletableFuture<Outcome> send(byte[] body) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        attempt(body, 1, outcome);
        return outcome;
    }

    private void attempt(byte[] body, int attempt, CompletableFuture<Outcome> outcome) {
        HttpRequest request = HttpRequest.newBuilder(settings.webhook())
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header(PushSignature.HEADER, PushSignature.of(body, settings.secret()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long start = System.nanoTime();
        client().sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            int status = response == null ? 0 : response.statusCode();
            if (failure == null && status / 100 == 2) {
                lastFailure = null;
                metrics.sent(Duration.ofNanos(System.nanoTime() - start));
                outcome.complete(new Outcome(true, null));
                return;
            }
            metrics.callFailed();
            String why = failure != null ? "no answer (" + failure.getClass().getSimpleName() + ")" : "HTTP " + status;
            lastFailure = why;
            boolean again = failure != null || status >= 500 || status == 408 || status == 429;
            if (!again || attempt >= settings.attempts()) {
                outcome.complete(new Outcome(false, why + " at attempt " + attempt + " of " + settings.attempts()));
                return;
            }
            long wait = settings.retryBackoff().toMillis() << Math.min(attempt - 1, 20);
            LOG.log(Level.FINE, failure, () -> "Push webhook: " + why + "; calling again in " + wait + " ms");
            try {
                retries.schedule(() -> attempt(body, attempt + 1, outcome), wait, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                outcome.complete(new Outcome(false, why + "; the server is stopping"));
            }
        });
    }

    /** The last call's failure, or null when it succeeded (or none was made). */
    public String lastFailure() {
        return lastFailure;
    }

    @PreDestroy
    void stop() {
        retries.shutdownNow();
    }
}
