package com.estatechat.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepMeterTest {

    private final List<Duration> wall = new ArrayList<>();
    private final List<Duration> cpu = new ArrayList<>();
    private final StepMeter cut = new StepMeter(wall::add, cpu::add);

    @Test
    void aStepRecordsItsWallTimeAndNoMoreCpuThanThat() {
        StepMeter.Start started = cut.start();
        long spin = 0;
        for (int i = 0; i < 2_000_000; i++) {
            spin += i % 7;
        }
        cut.stop(started);

        assertTrue(spin > 0);
        assertEquals(1, wall.size());
        assertEquals(1, cpu.size());
        assertTrue(wall.get(0).toNanos() > 0);
        // the thread's CPU clock may tick coarser than the wall clock: allow one tick
        assertTrue(cpu.get(0).compareTo(wall.get(0).plusMillis(10)) <= 0, () -> cpu + " > " + wall);
    }

    @Test
    void aWaitRecordsWallTimeOnly() {
        cut.waited(System.nanoTime() - 5_000_000);

        assertTrue(wall.get(0).toMillis() >= 5);
        assertTrue(cpu.isEmpty());
    }
}
