package com.estatechat.history.control;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

/**
 * A process that writes one thing to an embedded store and dies at once, as under {@code kill -9}
 * ({@link EmbeddedStoreCrashTest}): a message, once the store's mark says it is written (as the
 * history writer waits before it acks), or an erasure, once {@code erase} returned.
 *
 * <p>{@code CrashingWriter <embedded path> apply <message id>} or {@code ... erase <user id>}
 */
public final class CrashingWriter {

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        ConversationStore store = TestStores.open("h2", args[0]);
        switch (args[1]) {
            case "apply" -> {
                WrittenMark mark = store.apply(List.of(TestStores.message(args[2], "alice", "bob")));
                await().atMost(Duration.ofSeconds(10)).until(mark::isWritten);
            }
            case "erase" -> store.erase(args[2]);
            default -> throw new IllegalArgumentException(args[1]);
        }
        TestStores.halt();
    }
}
