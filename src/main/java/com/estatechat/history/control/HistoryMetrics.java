package com.estatechat.history.control;

import com.estatechat.metrics.Counter;
import com.estatechat.metrics.Meters;
import com.estatechat.metrics.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;

/**
 * The conversation store's metrics ({@code chat.history.*} in docs/operations.md). A
 * {@code new HistoryMetrics()} outside CDI counts nothing, which is what unit tests want.
 */
@ApplicationScoped
public class HistoryMetrics {

    @Inject
    Meters meters;

    private Counter written = Counter.NONE;
    private Timer lag = Timer.NONE;
    private Counter readsRefused = Counter.NONE;

    /** Made at start, so that its meters are exported before the store is first used. */
    void registerAtStart(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        // the observer's call makes the bean; register() ran in it
    }

    @PostConstruct
    void register() {
        written = meters.counter("chat.history.written");
        lag = meters.timer("chat.history.lag");
        readsRefused = meters.counter("chat.history.reads.refused");
    }

    /** An event committed to the conversation store {@code lag} after it happened. */
    public void written(Duration lag) {
        written.inc();
        this.lag.update(lag);
    }

    /** A read of the conversation store refused at its user's limits (a REST call, a sync or a read frame). */
    public void readRefused() {
        readsRefused.inc();
    }
}
