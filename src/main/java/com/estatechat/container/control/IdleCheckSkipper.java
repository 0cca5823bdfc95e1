package com.estatechat.container.control;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scheduler that Tyrus's sessions get instead of the server's managed one: Tyrus's idle-timeout
 * check is dropped when it is due at once, every other task goes to the managed scheduler as before.
 *
 * <p>Why dropping it is safe: Tyrus schedules the check on every frame received or sent, with the
 * session's idle timeout as its delay, and the check closes the session only when that timeout is
 * above zero. Due at once therefore means "no timeout": the task would have run at once on a
 * managed thread and done nothing, after the managed scheduler had captured the thread's context
 * for it (a {@code ServiceLoader} scan on Payara, each time). A timeout set later schedules its own
 * check ({@code Session.setMaxIdleTimeout} restarts it), and a real delay still goes to the managed
 * scheduler, so an idle session is still closed on a thread with the application's context.
 */
public final class IdleCheckSkipper implements ScheduledExecutorService {

    private static final ScheduledFuture<?> RAN_AND_DID_NOTHING = new RanAndDidNothing();

    private final ScheduledExecutorService managed;
    private final Class<?> idleCheck;
    private final LongAdder skipped = new LongAdder();
    private final LongAdder passedOn = new LongAdder();

    /**
     * @param managed the scheduler Tyrus had, which receives every task that is not skipped
     * @param idleCheck the class of Tyrus's idle-timeout task
     */
    public IdleCheckSkipper(ScheduledExecutorService managed, Class<?> idleCheck) {
        this.managed = managed;
        this.idleCheck = idleCheck;
    }

    /** The scheduler Tyrus had before. */
    public ScheduledExecutorService managed() {
        return managed;
    }

    /** Idle-timeout checks dropped so far. */
    public long skipped() {
        return skipped.sum();
    }

    /** One-off tasks handed to the managed scheduler so far. */
    public long passedOn() {
        return passedOn.sum();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (delay <= 0 && command.getClass() == idleCheck) {
            skipped.increment();
            return RAN_AND_DID_NOTHING;
        }
        passedOn.increment();
        return managed.schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        passedOn.increment();
        return managed.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return managed.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return managed.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void execute(Runnable command) {
        managed.execute(command);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return managed.submit(task);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return managed.submit(task, result);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return managed.submit(task);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return managed.invokeAll(tasks);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return managed.invokeAll(tasks, timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        return managed.invokeAny(tasks);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return managed.invokeAny(tasks, timeout, unit);
    }

    // the life cycle is the managed scheduler's (Payara's refuses these calls): passed on unchanged

    @Override
    public void shutdown() {
        managed.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return managed.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return managed.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return managed.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return managed.awaitTermination(timeout, unit);
    }

    /** What a skipped check would have become: a task that ran at once and did nothing. */
    private static final class RanAndDidNothing implements ScheduledFuture<Object> {

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(0, other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
