package com.estatechat.metrics;

/** Counts events. */
@FunctionalInterface
public interface Counter {

    /** Counts nothing: what a meter is on a server without MicroProfile Metrics, or before it is registered. */
    Counter NONE = n -> { };

    void inc(long n);

    default void inc() {
        inc(1);
    }
}
