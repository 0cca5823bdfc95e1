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
 * What the embedded store returned from survives the process dying right after (kill -9, the
 * kernel's OOM killer, a JVM crash): the history writer acks the history queue once {@code apply}
 * returns, and an erasure is answered once {@code erase} does, so a write still in memory then is
 * lost for good. H2 writes committed changes to its file in the background, within half a second.
 */
class EmbeddedStoreCrashTest {

    private final String path = new File("target/history/crash-" + UUID.randomUUID()).getAbsolutePath();
    private ConversationStore store;

    @AfterEach
    void close() {
        TestStores.close(store);
    }

    @Test
    void aBatchTheStoreAppliedIsThereAfterTheProcessDies() throws Exception {
        String messageId = id();

        crashAfter("apply", messageId);

        assertThat(rowsOf(messageId)).as("rows of the message applied just before the crash").isEqualTo(1);
    }

    @Test
    void anErasureTheStoreAnsweredIsThereAfterTheProcessDies() throws Exception {
        String messageId = id();
        store = TestStores.open("h2", path);
        store.apply(List.of(message(messageId, "alice", "bob")));
        TestStores.close(store); // closed cleanly: the message is on disk

        crashAfter("erase", "alice");

        assertThat(rowsOf(messageId)).as("rows of alice's message erased just before the crash").isZero();
    }

    private void crashAfter(String work, String argument) throws Exception {
        TestStores.runUntilHalted(CrashingWriter.class, path, work, argument);
    }

    private long rowsOf(String messageId) throws StoreUnavailable {
        store = TestStores.open("h2", path);
        return store.read(em -> em.createQuery("SELECT COUNT(m) FROM StoredMessage m WHERE m.messageId = :id",
                Long.class).setParameter("id", messageId).getSingleResult());
    }
}
