package com.estatechat.push.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.history.control.TestStores;
import java.io.File;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The push switch turned off on the embedded store stays off when the process dies right after:
 * the user is answered once it returned, so a switch lost would push to a user who turned it off.
 * It returned before H2 wrote it until it waited for its {@code WrittenMark}. (A claim does not
 * wait: one lost in a crash pushes the same messages again.)
 */
class PushMarksCrashTest {

    private final String path = new File("target/history/push-crash-" + UUID.randomUUID()).getAbsolutePath();
    private final PushMarks marks = new PushMarks();

    @AfterEach
    void close() {
        TestStores.close(marks.store);
    }

    @Test
    void pushTurnedOffStaysOffAfterTheProcessDies() throws Exception {
        TestStores.runUntilHalted(CrashingPushMarks.class, path, "off", "bob");

        marks.store = TestStores.open("h2", path);
        assertThat(marks.enabled("bob")).as("push for bob").isFalse();
    }
}
