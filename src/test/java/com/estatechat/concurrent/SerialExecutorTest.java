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
}
