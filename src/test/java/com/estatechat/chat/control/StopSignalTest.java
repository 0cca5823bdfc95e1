package com.estatechat.chat.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A real SIGTERM to this JVM, whose own handler (the one that would exit) is replaced by the test's
 * for the test's length and put back in a finally.
 */
class StopSignalTest {

    /**
     * Issue 21 (ServerStopChaosIT): Payara Micro's shutdown hook tore its HTTP listener down while
     * the undeploy drained, so nothing of the drain reached the clients. SIGTERM now runs the drain
     * first, with the application's class loader (the container's proxies need it), then the
     * handler the signal had before.
     */
    @Test
    void sigtermRunsTheDrainFirstThenTheHandlerItHadBefore() throws Exception {
        Signal term = new Signal("TERM");
        List<String> order = new CopyOnWriteArrayList<>();
        BlockingQueue<Signal> passedOn = new LinkedBlockingQueue<>();
        SignalHandler exiting = Signal.handle(term, signal -> {
            order.add("the handler before");
            passedOn.add(signal);
        });
        try {
            ClassLoader application = Thread.currentThread().getContextClassLoader();
            Runnable giveBack = StopSignal.install(() -> order.add(
                    Thread.currentThread().getContextClassLoader() == application ? "drain" : "drain, wrong loader"))
                    .orElseThrow();

            Signal.raise(term);
            assertThat(passedOn.poll(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(order).containsExactly("drain", "the handler before");

            giveBack.run();
            order.clear();
            Signal.raise(term);
            assertThat(passedOn.poll(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(order).as("after the undeploy, the handler before alone").containsExactly("the handler before");
        } finally {
            Signal.handle(term, exiting);
        }
    }
}
