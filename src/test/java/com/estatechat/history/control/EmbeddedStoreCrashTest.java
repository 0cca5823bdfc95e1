package com.estatechat.history.control;

import static com.estatechat.history.control.TestStores.id;
import static com.estatechat.history.control.TestStores.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the embedded store's mark says is written survives the process dying right after (kill -9,
 * the kernel's OOM killer, a JVM crash): the history writer acks a batch only then, and an erasure
 * is answered only then. H2 writes committed changes in the background, so a batch acked (or an
 * erasure answered) when the commit returned was lost.
 */
class EmbeddedStoreCrashTest {

    private final String path = new File("target/history/crash-" + UUID.randomUUID()).getAbsolutePath();
    private ConversationStore store;

    @AfterEach
    void close() {
        TestStores.close(store);
    }

    @Test
    void aBatchWhoseMarkIsWrittenIsThereAfterTheProcessDies() throws Exception {
        String messageId = id();

        TestStores.runUntilHalted(CrashingWriter.class, path, "apply", messageId);

        assertThat(rowsOf(messageId)).as("rows of the message written just before the crash").isEqualTo(1);
    }

    @Test
    void anErasureTheStoreAnsweredIsThereAfterTheProcessDies() throws Exception {
        String messageId = id();
        store = TestStores.open("h2", path);
        store.apply(List.of(message(messageId, "alice", "bob")));
        TestStores.close(store); // closed cleanly: the message is on disk

        TestStores.runUntilHalted(CrashingWriter.class, path, "erase", "alice");

        assertThat(rowsOf(messageId)).as("rows of alice's message erased just before the crash").isZero();
    }

    private long rowsOf(String messageId) throws StoreUnavailable {
        store = TestStores.open("h2", path);
        return store.read(em -> em.createQuery("SELECT COUNT(m) FROM StoredMessage m WHERE m.messageId = :id",
                Long.class).setParameter("id", messageId).getSingleResult());
    }
}
