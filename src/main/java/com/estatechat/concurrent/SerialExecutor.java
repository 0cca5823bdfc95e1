package com.estatechat.concurrent;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs tasks one at a time, in the order given, on a shared pool: a lane. What only one lane
 * touches needs no lock; a task that must change it from elsewhere is handed to the lane. This is
 * the pattern from the {@link Executor} Javadoc. {@link #execute} only queues: it never runs a
 * task on the caller's thread and calls nothing of the caller's while holding its lock.
 */
public final class SerialExecutor implements Executor {

    private static final Logger LOG = Logger.getLogger(SerialExecutor.class.getName());

    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final Executor pool;
    private final String name;
    private Runnable active;
    /** The thread running one of this lane's tasks now, else null: for {@link #runsOn}. */
    private volatile Thread running;

    public SerialExecutor(Executor pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(() -> {
            running = Thread.currentThread();
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, e, () -> "A task on the lane of " + name + " failed");
            } finally {
                running = null;
                scheduleNext();
            }
        });
        if (active == null) {
            scheduleNext();
        }
    }

    /**
     * Whether the caller runs on {@code lane}, for the assertions that guard a lane's state
     * ({@code assert SerialExecutor.runsOn(lane)}, on wherever assertions are: the tests, and
     * {@code -ea:com.estatechat...} on a server). Any other executor (a test's {@code Runnable::run})
     * counts as its own lane.
     */
    public static boolean runsOn(Executor lane) {
        return !(lane instanceof SerialExecutor serial) || serial.running == Thread.currentThread();
    }

    /**
     * Hands the next task to the pool. Once the pool has stopped (the application is going away,
     * and a container thread still closes a session), what is left is dropped: the broker requeues
     * what a closed channel held, and nothing else of the lane's matters any more.
     */
    private synchronized void scheduleNext() {
        active = tasks.poll();
        if (active != null) {
            try {
                pool.execute(active);
            } catch (RejectedExecutionException e) {
                LOG.fine(() -> "The lane of " + name + " stopped with the application; dropping "
                        + (tasks.size() + 1) + " task(s)");
                tasks.clear();
                active = null;
            }
        }
    }
}
