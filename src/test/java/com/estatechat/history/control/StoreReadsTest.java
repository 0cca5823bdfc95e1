package com.estatechat.history.control;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Reads of the store wait in a bounded line: past it a read is refused at once, never queued without end. */
class StoreReadsTest {

    @Test
    void aReadPastTheWaitingLimitIsRefusedAtOnceAndTheOthersComplete() throws Exception {
        CountDownLatch slowDatabase = new CountDownLatch(1);
        StoreReads cut = new StoreReads();
        cut.store = new ConversationStore() {
            @Override
            public <T> T read(Function<EntityManager, T> query) {
                try {
                    slowDatabase.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }
        };
        try {
            List<CompletableFuture<Object>> admitted = new ArrayList<>();
            // two run (and wait on the database), the rest wait for a thread
            for (int i = 0; i < 2 + StoreReads.MAX_WAITING; i++) {
                admitted.add(cut.read("u" + i, em -> null));
            }
            CompletableFuture<Object> refused = cut.read("late", em -> null);

            assertThat(refused).isCompletedExceptionally();
            ExecutionException why = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                    refused::get);
            assertThat(why.getCause()).isInstanceOf(StoreUnavailable.class).hasMessageContaining("waiting already");

            slowDatabase.countDown();
            CompletableFuture.allOf(admitted.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            cut.stop();
        }
    }
}
