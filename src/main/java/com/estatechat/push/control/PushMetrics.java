package com.estatechat.push.control;

import com.estatechat.metrics.Counter;
import com.estatechat.metrics.Meters;
import com.estatechat.metrics.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/** Push's metrics ({@code chat.push.*} in docs/operations.md); outside CDI they count nothing. */
@ApplicationScoped
public class PushMetrics {

    @Inject
    Meters meters;

    private Counter sent = Counter.NONE;
    private Counter failedCalls = Counter.NONE;
    private Counter deadLettered = Counter.NONE;
    private Timer call = Timer.NONE;

    @PostConstruct
    void register() {
        sent = meters.counter("chat.push.sent");
        failedCalls = meters.counter("chat.push.calls.failed");
        deadLettered = meters.counter("chat.push.dead.lettered");
        call = meters.timer("chat.push.call");
    }

    /** The webhook took a push (2xx) after a call of {@code took}. */
    void sent(Duration took) {
        sent.inc();
        call.update(took);
    }

    /** One call failed (an error status, a timeout, no connection); it may be tried again. */
    void callFailed() {
        failedCalls.inc();
    }

    /** A push given up after its last attempt, copied to the dead-letter exchange. */
    void deadLettered() {
        deadLettered.inc();
    }
}
