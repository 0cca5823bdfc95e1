package com.estatechat.chaos;

import java.time.Duration;

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

    String form() {
        return Boolean.getBoolean("chaos.long") ? "long" : "short";
    }
}
