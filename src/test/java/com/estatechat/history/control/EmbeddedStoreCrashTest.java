package com.estatechat.history.control;

import static com.estatechat.history.control.TestStores.id;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the embedded store's mark says is written survives the process dying right after (kill -9,
 * the kernel's OOM killer, a JVM crash): the history writer acks a batch only then. H2 writes
 * committed changes in the background, so a batch acked when {@code apply} returned was lost.
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

        TestStores.runUntilHalted(CrashingWriter.class, path, messageId);

        store = TestStores.open("h2", path);
        long rows = store.read(em -> em.createQuery("SELECT COUNT(m) FROM StoredMessage m WHERE m.messageId = :id",
                Long.class).setParameter("id", messageId).getSingleResult());
        assertThat(rows).as("rows of the message written just before the crash").isEqualTo(1);
    }
}
