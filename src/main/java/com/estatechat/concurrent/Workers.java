package com.estatechat.concurrent;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application's own threads, one per core (at least two), on which every lane runs: each
 * user's lane (its delivery state) and each AMQP channel's owner. Neither a container thread nor a
 * thread of the AMQP client library does application work beyond handing it to a lane.
 */
@ApplicationScoped
public class Workers {

    private final ExecutorService pool = Executors.newFixedThreadPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()), daemonThreads("chat-worker"));

    /** A new lane on the shared workers; {@code name} says whose it is in logs. */
    public SerialExecutor newLane(String name) {
        return new SerialExecutor(pool, name);
    }

    @PreDestroy
    void stop() {
        pool.shutdown();
    }

    /** Daemon threads named {@code prefix-1}, {@code prefix-2}, … */
    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
