package com.estatechat.history.control;

import java.util.List;

/**
 * A process that writes one thing to an embedded store and dies at once, as under {@code kill -9}
 * (no shutdown hooks, nothing closed): what the store said was written must be there afterwards.
 * Run by {@link EmbeddedStoreCrashTest} in a JVM of its own.
 *
 * <p>{@code CrashingWriter <embedded path> apply <message id>} or {@code ... erase <user id>}; exits
 * with {@link #HALTED} once the store returned, 2 when it could not open.
 */
public final class CrashingWriter {

    static final int HALTED = 137;

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        ConversationStore store = TestStores.create("h2", args[0]);
        store.start(null);
        if (!store.isReady()) {
            System.err.println("the store did not open: " + store.lastFailure());
            System.exit(2);
        }
        switch (args[1]) {
            case "apply" -> store.apply(List.of(TestStores.message(args[2], "alice", "bob")));
            case "erase" -> store.erase(args[2]);
            default -> throw new IllegalArgumentException(args[1]);
        }
        Runtime.getRuntime().halt(HALTED);
    }
}
