package com.estatechat.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    @Test
    void tasksRunOneAtATimeInOrder() {
        List<Integer> ran = new ArrayList<>();
        SerialExecutor lane = new SerialExecutor(Runnable::run, "test");
        for (int i = 0; i < 5; i++) {
            int n = i;
            lane.execute(() -> ran.add(n));
        }
        assertThat(ran).containsExactly(0, 1, 2, 3, 4);
    }

    /** A session closed after the application's pool stopped: the hand-over must not throw into the caller. */
    @Test
    void aStoppedPoolDropsTasksWithoutThrowingAtTheCaller() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        pool.shutdown();
        SerialExecutor lane = new SerialExecutor(pool, "test");
        assertThatCode(() -> lane.execute(() -> { })).doesNotThrowAnyException();
        assertThatCode(() -> lane.execute(() -> { })).doesNotThrowAnyException();
    }

    /** What the lane-ownership assertions ask: true only inside one of that lane's tasks. */
    @Test
    void runsOnIsTrueOnlyInsideTheLanesOwnTask() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            SerialExecutor lane = new SerialExecutor(pool, "mine");
            SerialExecutor other = new SerialExecutor(pool, "other");
            java.util.concurrent.CompletableFuture<List<Boolean>> seen = new java.util.concurrent.CompletableFuture<>();
            lane.execute(() -> {
                List<Boolean> inside = List.of(SerialExecutor.runsOn(lane), SerialExecutor.runsOn(other));
                other.execute(() -> seen.complete(List.of(inside.get(0), inside.get(1), SerialExecutor.runsOn(lane))));
            });
            assertThat(seen.get(5, java.util.concurrent.TimeUnit.SECONDS)).as("on mine, on other, mine from other")
                    .containsExactly(true, false, false);
            assertThat(SerialExecutor.runsOn(lane)).as("on the test's thread").isFalse();
            assertThat(SerialExecutor.runsOn(Runnable::run)).as("an executor that is not a lane").isTrue();
        } finally {
            pool.shutdownNow();
        }
    }
}
