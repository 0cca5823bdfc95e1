package com.estatechat.chat.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadProofsTest {

    private final ReadProofs proofs = new ReadProofs();
    private final List<String> outcomes = new ArrayList<>();

    @Test
    void aFrameIsProvenByThePongToThePingSentAfterIt() {
        ByteBuffer ping = proofs.written(proven -> outcomes.add("first " + proven));
        assertThat(ping).isNotNull();
        assertThat(proofs.ponged(ByteBuffer.wrap(new byte[] {'h', 'b'}))).isNull();
        assertThat(outcomes).as("a heartbeat pong proves nothing").isEmpty();

        assertThat(proofs.ponged(ping.duplicate())).isNull();
        assertThat(outcomes).containsExactly("first true");
    }

    @Test
    void framesWrittenWhileAPingIsOutWaitForTheNextPing() {
        ByteBuffer first = proofs.written(proven -> outcomes.add("a " + proven));
        assertThat(proofs.written(proven -> outcomes.add("b " + proven))).as("one proof ping at a time").isNull();

        ByteBuffer second = proofs.ponged(first.duplicate());
        assertThat(outcomes).containsExactly("a true");
        assertThat(second).isNotNull().isNotEqualTo(first);
        assertThat(proofs.ponged(first.duplicate())).as("an old pong again").isNull();
        assertThat(outcomes).containsExactly("a true");

        proofs.ponged(second.duplicate());
        assertThat(outcomes).containsExactly("a true", "b true");
    }

    @Test
    void theHeartbeatRepeatsAnUnansweredProofPing() {
        assertThat(proofs.heartbeat()).as("nothing to prove").isNull();
        ByteBuffer ping = proofs.written(proven -> outcomes.add("a " + proven));
        assertThat(proofs.heartbeat()).isEqualTo(ping);
    }

    @Test
    void whatIsUnprovenAtCloseIsReportedNotRead() {
        proofs.written(proven -> outcomes.add("a " + proven));
        proofs.written(proven -> outcomes.add("b " + proven));
        proofs.close();
        assertThat(outcomes).containsExactly("a false", "b false");

        assertThat(proofs.written(proven -> outcomes.add("c " + proven))).isNull();
        assertThat(outcomes).containsExactly("a false", "b false", "c false");
    }
}
