package com.estatechat.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;

/**
 * Times one step of a larger piece of work twice: its wall time ({@code <name>}) and the CPU time of
 * the thread that ran it ({@code <name>.cpu}), so that a connect storm's cost can be split per step
 * (bench/run.sh reads both before and after a storm). A step that waits (a queue, a round trip) has
 * more wall time than CPU; one that only computes has about as much.
 */
public final class StepMeter {

    /** Records nothing. */
    public static final StepMeter NONE = new StepMeter(Timer.NONE, Timer.NONE);

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU = THREADS.isCurrentThreadCpuTimeSupported();

    /** When a step began, on the thread that runs it. */
    public record Start(long wallNanos, long cpuNanos) {
    }

    private final Timer wall;
    private final Timer cpu;

    StepMeter(Timer wall, Timer cpu) {
        this.wall = wall;
        this.cpu = cpu;
    }

    public Start start() {
        return new Start(System.nanoTime(), CPU ? THREADS.getCurrentThreadCpuTime() : 0);
    }

    /** The step begun with {@code start} on this thread is over. */
    public void stop(Start start) {
        wall.update(Duration.ofNanos(System.nanoTime() - start.wallNanos()));
        if (CPU) {
            cpu.update(Duration.ofNanos(THREADS.getCurrentThreadCpuTime() - start.cpuNanos()));
        }
    }

    /** A step that only waited (in a queue, for a reply): its wall time since {@code sinceNanos} ({@link System#nanoTime}). */
    public void waited(long sinceNanos) {
        wall.update(Duration.ofNanos(System.nanoTime() - sinceNanos));
    }
}
