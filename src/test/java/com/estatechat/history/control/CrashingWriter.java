package com.estatechat.history.control;

import java.util.List;

/**
 * A process that writes one thing to an embedded store and dies at once, as under {@code kill -9}:
 * what the store said was written must be there afterwards ({@link EmbeddedStoreCrashTest}).
 *
 * <p>{@code CrashingWriter <embedded path> apply <message id>} or {@code ... erase <user id>}.
 */
public final class CrashingWriter {

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        ConversationStore store = TestStores.open("h2", args[0]);
        switch (args[1]) {
            case "apply" -> store.apply(List.of(TestStores.message(args[2], "alice", "bob")));
            case "erase" -> store.erase(args[2]);
            default -> throw new IllegalArgumentException(args[1]);
        }
        TestStores.halt();
    }
}
