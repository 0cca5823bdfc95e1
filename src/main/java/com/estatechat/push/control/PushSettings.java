package com.estatechat.push.control;

import com.estatechat.settings.Durations;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@code chat.push.*} settings, read once at start. Unlike the other settings, a bad value does
 * not stop the deployment: push is off then, its readiness check DOWN with the reason, and the chat
 * runs without it. Off when no webhook URL is set or the delay is zero.
 */
@ApplicationScoped
public class PushSettings {

    private static final Logger LOG = Logger.getLogger(PushSettings.class.getName());

    @Inject
    @ConfigProperty(name = "chat.push.webhook-url")
    Optional<String> webhookUrl = Optional.empty();

    /** Never logged nor shown. */
    @Inject
    @ConfigProperty(name = "chat.push.secret")
    Optional<String> secret = Optional.empty();

    @Inject
    @ConfigProperty(name = "chat.push.delay")
    String delay;

    @Inject
    @ConfigProperty(name = "chat.push.preview-chars")
    int previewChars;

    @Inject
    @ConfigProperty(name = "chat.push.timeout")
    String timeout;

    @Inject
    @ConfigProperty(name = "chat.push.attempts")
    int attempts;

    @Inject
    @ConfigProperty(name = "chat.push.retry-backoff")
    String retryBackoff;

    /** Push's queues are named after the history queue they copy: one pair per chat, as it is. */
    @Inject
    @ConfigProperty(name = "chat.history.queue")
    String historyQueue;

    private URI webhook;
    private Duration delayValue;
    private Duration timeoutValue;
    private Duration retryBackoffValue;
    private String problem;

    /**
     * Read at start, on the deploying thread: first made on a readiness call, its injected keys
     * were not found (Payara's producer failed with NoSuchElementException: BrokerOutageIT's 500).
     */
    void readAtStart(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        // the observer's call makes the bean; check() ran in it
    }

    @PostConstruct
    void check() {
        List<String> problems = new ArrayList<>();
        webhookUrl = webhookUrl.map(String::trim).filter(url -> !url.isEmpty());
        delayValue = Durations.setting(problems, "chat.push.delay", delay, Duration.ZERO);
        timeoutValue = Durations.setting(problems, "chat.push.timeout", timeout, Duration.ofMillis(100));
        retryBackoffValue = Durations.setting(problems, "chat.push.retry-backoff", retryBackoff, Duration.ZERO);
        if (previewChars < 0 || previewChars > 1000) {
            problems.add("chat.push.preview-chars is " + previewChars + "; it must lie between 0 and 1000");
        }
        if (attempts < 1 || attempts > 20) {
            problems.add("chat.push.attempts is " + attempts + "; it must lie between 1 and 20");
        }
        if (webhookUrl.isPresent()) {
            try {
                URI uri = URI.create(webhookUrl.get());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                    problems.add("chat.push.webhook-url must be an absolute http or https URL with a host");
                }
                webhook = uri;
            } catch (IllegalArgumentException e) {
                problems.add("chat.push.webhook-url is not a URL: " + e.getMessage());
            }
            if (secret.map(String::isBlank).orElse(true)) {
                problems.add("chat.push.secret must be set with chat.push.webhook-url: the receiver checks the"
                        + " signature made with it");
            }
        }
        if (!problems.isEmpty() && webhookUrl.isPresent()) {
            problem = String.join("; ", problems);
            LOG.severe(() -> "Invalid configuration, push is off: " + problem);
        } else if (!problems.isEmpty()) {
            // push is off anyway: the value is wrong all the same, and says so once
            LOG.warning(() -> "Invalid configuration of push (off, no chat.push.webhook-url): " + String.join("; ", problems));
        }
    }

    /** Whether this node pushes: a webhook URL is set, the delay is not zero and nothing is wrong. */
    public boolean enabled() {
        return webhookUrl.isPresent() && problem == null && !delayValue.isZero();
    }

    /** What is wrong with the settings while a webhook URL is set; null when nothing is. */
    public String problem() {
        return problem;
    }

    public URI webhook() { return webhook; }
    byte[] secret() { return secret.orElse("").getBytes(java.nio.charset.StandardCharsets.UTF_8); }
    public Duration delay() { return delayValue; }
    public int previewChars() { return previewChars; }
    /** How long one call may take, connecting included. */
    public Duration timeout() { return timeoutValue; }
    /** Calls of the webhook for one push, the first included. */
    public int attempts() { return attempts; }
    /** The wait before the second call; it doubles before each next one. */
    public Duration retryBackoff() { return retryBackoffValue; }
    /** The queue that holds each history event for the delay. */
    public String delayQueue() { return historyQueue + ".push-delay"; }
    /** The queue the events come to when their delay is over. */
    public String dueQueue() { return historyQueue + ".push-due"; }
}
