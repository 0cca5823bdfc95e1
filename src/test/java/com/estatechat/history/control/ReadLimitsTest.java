package com.estatechat.history.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One user's share of the store's readers, on a clock the test moves. */
class ReadLimitsTest {

    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final ReadLimits cut = new ReadLimits(2, 10, 5, now::get);

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void aBurstThenTheRateWithTheWaitNamed() {
        for (int i = 0; i < 5; i++) {
            assertThat(cut.admit("alice")).as("read %d of the burst", i).isEmpty();
            cut.done("alice");
        }
        assertThat(cut.admit("alice")).contains(Duration.ofMillis(100));
        assertThat(cut.admit("bob")).as("another user's share").isEmpty();

        advance(Duration.ofMillis(100));
        assertThat(cut.admit("alice")).isEmpty();
        cut.done("alice");
        assertThat(cut.admit("alice")).isPresent();
    }

    @Test
    void readsInFlightAtOnceAreBoundedAndGivenBack() {
        assertThat(cut.admit("alice")).isEmpty();
        assertThat(cut.admit("alice")).isEmpty();
        assertThat(cut.admit("alice")).as("a third at once").isPresent();

        cut.done("alice");
        assertThat(cut.admit("alice")).isEmpty();
    }

    @Test
    void aUserWhoseShareIsWholeAgainIsForgottenAtTheNextSweep() {
        cut.admit("alice");
        cut.done("alice");
        cut.admit("bob"); // still in flight: kept
        assertThat(cut.users()).isEqualTo(2);

        advance(ReadLimits.SWEEP_EVERY);
        cut.admit("carol");

        assertThat(cut.users()).isEqualTo(2); // bob and carol
        assertThat(cut.admit("alice")).isEmpty();
    }
}
