package com.estatechat.push.control;

import static com.estatechat.history.control.TestStores.id;
import static com.estatechat.history.control.TestStores.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.history.control.TestStores;
import com.estatechat.history.entity.HistoryEvent;
import java.io.File;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A push claimed, or the push switch turned off, on the embedded store survives the process dying
 * right after: the push goes out (or the user is answered) once the claim returned, so a claim
 * lost would push the same messages again, or push to a user who turned it off. Both returned
 * before H2 wrote them until they waited for its {@code WrittenMark}.
 */
class PushMarksCrashTest {

    private final String path = new File("target/history/push-crash-" + UUID.randomUUID()).getAbsolutePath();
    private final PushMarks marks = new PushMarks();

    @AfterEach
    void close() {
        marks.stop();
        TestStores.close(marks.store);
    }

    @Test
    void aClaimedPushIsNotClaimedAgainAfterTheProcessDies() throws Exception {
        HistoryEvent queued = message(id(), "alice", "bob");
        marks.store = TestStores.open("h2", path);
        marks.store.apply(List.of(queued));
        TestStores.close(marks.store); // closed cleanly: the message is on disk

        TestStores.runUntilHalted(CrashingPushMarks.class, path, "claim", "bob", queued.messageId());

        marks.store = TestStores.open("h2", path);
        assertThat(marks.claim("bob", queued.messageId(), 80).pushed()).as("claimed before the crash").isEmpty();
    }

    @Test
    void pushTurnedOffStaysOffAfterTheProcessDies() throws Exception {
        TestStores.runUntilHalted(CrashingPushMarks.class, path, "off", "bob");

        marks.store = TestStores.open("h2", path);
        assertThat(marks.enabled("bob")).as("push for bob").isFalse();
    }
}
