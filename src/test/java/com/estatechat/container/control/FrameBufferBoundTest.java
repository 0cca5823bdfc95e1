package com.estatechat.container.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class FrameBufferBoundTest {

    @Test
    void theBoundHoldsAnUnfinishedFrameOfTheLargestSizeAndTheChunkReadAfterIt() {
        assertThat(FrameBufferBound.chunkBytes(65_536)).isEqualTo(65_550);
        assertThat(FrameBufferBound.boundBytes(65_536)).isEqualTo(131_100).isLessThan(4_194_315 / 30);
    }

    @Test
    void aContainerThatIsNotTyrusIsLeftAsItIs() {
        FrameBufferBound bound = FrameBufferBound.apply(new Object(), 65_536);
        assertThat(bound.applied()).isFalse();
        assertThat(bound.level()).isEqualTo(Level.INFO);
        assertThat(bound.outcome()).contains("java.lang.Object is not Tyrus's");
        assertThat(FrameBufferBound.apply(null, 65_536).applied()).isFalse();
    }
}
