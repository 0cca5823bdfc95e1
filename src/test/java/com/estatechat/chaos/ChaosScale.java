package com.estatechat.chaos;

import com.estatechat.support.Deployments;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * How hard a fault run pushes: the short form runs in the normal suite (and so in CI); the long
 * form is {@code mvn -B verify -Pchaos} (system property {@code chaos.long=true}).
 */
record ChaosScale(int users, int messagesPerSecond, Duration trafficPerRound, int rounds, int flaps,
        int slowClientMessages) {

    static ChaosScale current() {
        return Boolean.getBoolean("chaos.long")
                ? new ChaosScale(20, 150, Duration.ofSeconds(20), 3, 2_000, 10_000)
                : new ChaosScale(20, 100, Duration.ofSeconds(4), 1, 300, 1_000);
    }

    /**
     * Server settings for fault runs: the rate limit is not what they test, nor the inbox bound (the
     * long slow-client run leaves 10,000 messages in one inbox).
     */
    static final Map<String, String> NO_RATE_LIMIT = Map.of(
            "chat.rate-limit.per-second", "5000", "chat.rate-limit.burst", "5000", "chat.inbox.max-length", "0");

    /** {@link #NO_RATE_LIMIT} and these keys and values. */
    static Map<String, String> settings(String... keysAndValues) {
        Map<String, String> settings = new java.util.HashMap<>(NO_RATE_LIMIT);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            settings.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return settings;
    }

    /** {@link #users()} fresh user ids starting with {@code prefix}. */
    List<String> users(String prefix) {
        return IntStream.range(0, users).mapToObj(i -> Deployments.user(prefix + i)).toList();
    }

    String form() {
        return Boolean.getBoolean("chaos.long") ? "long" : "short";
    }
}
