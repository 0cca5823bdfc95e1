package com.estatechat.history.control;

import com.estatechat.settings.Durations;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@code chat.history.*} settings of the conversation store, read once and checked at start:
 * a bad value stops the deployment with a log line naming the key.
 */
@ApplicationScoped
public class HistorySettings {

    private static final Logger LOG = Logger.getLogger(HistorySettings.class.getName());

    /** The JNDI name of the operator's JDBC resource (PostgreSQL); absent: the embedded database. */
    @Inject
    @ConfigProperty(name = "chat.history.datasource")
    Optional<String> dataSource = Optional.empty();

    @Inject
    @ConfigProperty(name = "chat.history.embedded-path")
    String embeddedPath;

    @Inject
    @ConfigProperty(name = "chat.history.queue")
    String queue;

    @Inject
    @ConfigProperty(name = "chat.history.batch-size")
    int batchSize;

    @Inject
    @ConfigProperty(name = "chat.history.batch-wait")
    String batchWait;

    @Inject
    @ConfigProperty(name = "chat.history.sync-limit")
    int syncLimit;

    @Inject
    @ConfigProperty(name = "chat.history.read-limit.in-flight")
    int readsInFlight;

    @Inject
    @ConfigProperty(name = "chat.history.read-limit.per-second")
    int readsPerSecond;

    @Inject
    @ConfigProperty(name = "chat.history.read-limit.burst")
    int readsBurst;

    @Inject
    @ConfigProperty(name = "chat.history.retention")
    String retention;

    @Inject
    @ConfigProperty(name = "chat.history.retry-interval")
    String retryInterval;

    private Path embeddedPathValue;
    private Duration batchWaitValue;
    private Duration retryIntervalValue;
    private Duration retentionValue;

    @PostConstruct
    void check() {
        List<String> problems = new ArrayList<>();
        dataSource = dataSource.map(String::trim).filter(name -> !name.isEmpty());
        if (dataSource.isEmpty()) {
            try {
                embeddedPathValue = Path.of(embeddedPath.trim()).toAbsolutePath();
            } catch (InvalidPathException e) {
                problems.add("chat.history.embedded-path is not a path: " + e.getMessage());
            }
        }
        if (queue == null || queue.isBlank() || queue.length() > 200) {
            problems.add("chat.history.queue must be a non-empty AMQP name of at most 200 characters");
        }
        if (batchSize < 1 || batchSize > 10_000) {
            problems.add("chat.history.batch-size is " + batchSize + "; it must lie between 1 and 10000");
        }
        if (syncLimit < 1 || syncLimit > 1_000) {
            problems.add("chat.history.sync-limit is " + syncLimit + "; it must lie between 1 and 1000");
        }
        requireRange(problems, "chat.history.read-limit.in-flight", readsInFlight, 1, 1_000);
        requireRange(problems, "chat.history.read-limit.per-second", readsPerSecond, 1, 1_000_000);
        requireRange(problems, "chat.history.read-limit.burst", readsBurst, 1, 1_000_000);
        batchWaitValue = Durations.setting(problems, "chat.history.batch-wait", batchWait, Duration.ZERO);
        retentionValue = Durations.setting(problems, "chat.history.retention", retention, Duration.ZERO);
        if (retentionValue != null && !retentionValue.isZero() && retentionValue.compareTo(Duration.ofHours(1)) < 0) {
            problems.add("chat.history.retention is " + retention + "; it must be 0 (keep forever) or at least 1h");
        }
        retryIntervalValue = Durations.setting(problems, "chat.history.retry-interval", retryInterval, Duration.ofMillis(100));
        if (!problems.isEmpty()) {
            problems.forEach(problem -> LOG.severe(() -> "Invalid configuration: " + problem));
            throw new IllegalStateException("Invalid configuration: " + String.join("; ", problems));
        }
    }

    private static void requireRange(List<String> problems, String key, int value, int min, int max) {
        if (value < min || value > max) {
            problems.add(key + " is " + value + "; it must lie between " + min + " and " + max);
        }
    }

    public Optional<String> dataSource() { return dataSource; }
    /** Where the embedded database keeps its files (without the {@code .mv.db} suffix). */
    public Path embeddedPath() { return embeddedPathValue; }
    public String queue() { return queue; }
    public int batchSize() { return batchSize; }
    public Duration batchWait() { return batchWaitValue; }
    /** How long stored messages are kept (by the time they were sent); zero: forever. */
    public Duration retention() { return retentionValue; }
    /** The most messages one {@code sync} frame is answered with. */
    public int syncLimit() { return syncLimit; }
    public Duration retryInterval() { return retryIntervalValue; }
    /** Reads of the store one user may have waiting or running at once. */
    public int readsInFlight() { return readsInFlight; }
    /** Reads of the store one user may make per second, on average. */
    public int readsPerSecond() { return readsPerSecond; }
    /** Reads of the store one user may make at once before it must wait for the rate. */
    public int readsBurst() { return readsBurst; }
}
