package com.estatechat.history.control;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

/**
 * A process that applies one message to an embedded store, waits until the store's mark says it is
 * written (as the history writer does before it acks), and dies at once, as under {@code kill -9}
 * ({@link EmbeddedStoreCrashTest}).
 *
 * <p>{@code CrashingWriter <embedded path> <message id>}
 */
public final class CrashingWriter {

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        ConversationStore store = TestStores.open("h2", args[0]);
        WrittenMark mark = store.apply(List.of(TestStores.message(args[1], "alice", "bob")));
        await().atMost(Duration.ofSeconds(10)).until(mark::isWritten);
        TestStores.halt();
    }
}
