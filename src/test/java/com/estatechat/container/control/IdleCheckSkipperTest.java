package com.estatechat.container.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IdleCheckSkipperTest {

    /** Stands for Tyrus's {@code TyrusSession$IdleTimeoutCommand}. */
    static final class IdleCheck implements Runnable {
        final CountDownLatch ran = new CountDownLatch(1);

        @Override
        public void run() {
            ran.countDown();
        }
    }

    final ScheduledThreadPoolExecutor managed = new ScheduledThreadPoolExecutor(1);
    final IdleCheckSkipper cut = new IdleCheckSkipper(managed, IdleCheck.class);

    @AfterEach
    void stop() {
        managed.shutdownNow();
    }

    @Test
    void idleCheckDueAtOnceIsSkippedWithoutReachingTheManagedScheduler() throws InterruptedException {
        IdleCheck check = new IdleCheck();

        ScheduledFuture<?> future = cut.schedule(check, 0, TimeUnit.MILLISECONDS);

        assertThat(future.isDone()).isTrue();
        assertThat(future.cancel(true)).isFalse();
        assertThat(check.ran.await(200, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(managed.getTaskCount()).isZero();
        assertThat(cut.skipped()).isEqualTo(1);
        assertThat(cut.passedOn()).isZero();
    }

    @Test
    void idleCheckWithATimeoutStillRunsOnTheManagedScheduler() throws InterruptedException {
        IdleCheck check = new IdleCheck();

        cut.schedule(check, 1, TimeUnit.MILLISECONDS);

        assertThat(check.ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(managed.getTaskCount()).isEqualTo(1);
        assertThat(cut.skipped()).isZero();
        assertThat(cut.passedOn()).isEqualTo(1);
    }

    @Test
    void otherTasksDueAtOnceStillRun() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);

        cut.schedule(ran::countDown, 0, TimeUnit.MILLISECONDS);

        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(cut.skipped()).isZero();
    }

    @Test
    void periodicTasksGoToTheManagedScheduler() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch twice = new CountDownLatch(2);

        ScheduledFuture<?> task = cut.scheduleAtFixedRate(() -> {
            runs.incrementAndGet();
            twice.countDown();
        }, 0, 1, TimeUnit.MILLISECONDS);

        assertThat(twice.await(5, TimeUnit.SECONDS)).isTrue();
        task.cancel(false);
        assertThat(runs.get()).isGreaterThanOrEqualTo(2);
    }
}
