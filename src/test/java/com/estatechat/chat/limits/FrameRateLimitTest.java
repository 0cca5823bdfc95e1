package com.estatechat.chat.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FrameRateLimitTest {

    final AtomicReference<FrameRateLimit.Rate> inForce = new AtomicReference<>(new FrameRateLimit.Rate(1, 40));
    final FrameRateLimit cut = new FrameRateLimit(inForce::get);

    @Test
    void aLoweredBurstAppliesToAUserWhoHasTokensAlready() {
        assertThat(cut.tryAcquire()).isTrue();

        inForce.set(new FrameRateLimit.Rate(1, 2));

        assertThat(cut.tryAcquire()).isTrue();
        assertThat(cut.tryAcquire()).isTrue();
        assertThat(cut.tryAcquire()).as("the 39 tokens left were cut to the new burst of 2").isFalse();
        assertThat(cut.mayWarn()).isTrue();
        assertThat(cut.mayWarn()).isTrue();
        assertThat(cut.mayWarn()).as("warnings follow the new burst too").isFalse();
    }

    @Test
    void theSameRateFromANewSnapshotLeavesTheBucketAsItIs() {
        for (int i = 0; i < 40; i++) {
            assertThat(cut.tryAcquire()).isTrue();
        }

        inForce.set(new FrameRateLimit.Rate(1, 40));

        assertThat(cut.tryAcquire()).as("no refill from an equal rate").isFalse();
    }
}
