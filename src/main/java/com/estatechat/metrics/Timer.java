package com.estatechat.metrics;

import java.time.Duration;

/** Records how long something took. */
@FunctionalInterface
public interface Timer {

    /** Records nothing: what a meter is on a server without MicroProfile Metrics, or before it is registered. */
    Timer NONE = duration -> { };

    void update(Duration duration);
}
