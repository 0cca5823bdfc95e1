package com.estatechat.history.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Reads of the store wait in a bounded line: past it a read is refused at once, never queued
 * without end; and one user's flood of reads is refused at its own limits before it takes
 * everyone's line (issue 22).
 */
class StoreReadsTest {

    /** A store whose every read waits until {@code slowDatabase} opens, then answers its query on no database. */
    private static StoreReads blockedUntil(CountDownLatch slowDatabase) {
        StoreReads cut = new StoreReads();
        cut.store = new ConversationStore() {
            @Override
            public <T> T read(Function<EntityManager, T> query) {
                try {
                    slowDatabase.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return query.apply(null);
            }
        };
        cut.limits = new ReadLimits(4, 10, 20, System::nanoTime);
        cut.metrics = new HistoryMetrics();
        return cut;
    }

    /**
     * Issue 22: one tenant flooding {@code GET /api/conversations} filled the one line of 1,000
     * and everyone else's history calls were refused (503). The flood is now refused at the
     * flooder's own limits, and another user's read is served.
     */
    @Test
    void oneUsersFloodIsRefusedWhileAnotherUsersReadIsServed() throws Exception {
        CountDownLatch slowDatabase = new CountDownLatch(1);
        StoreReads cut = blockedUntil(slowDatabase);
        try {
            List<CompletableFuture<String>> flood = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                flood.add(cut.read("flooder", em -> "the flooder's"));
            }
            CompletableFuture<String> bobs = cut.read("bob", em -> "bob's");

            assertThat(bobs).isNotCompletedExceptionally();
            assertThat(flood.stream().filter(CompletableFuture::isCompletedExceptionally).count())
                    .isEqualTo(3_000 - 4); // four in flight at once
            Throwable refusal = catchThrowableOfType(ExecutionException.class, flood.get(2_999)::get).getCause();
            assertThat(refusal).isInstanceOf(TooManyReads.class);
            assertThat(((TooManyReads) refusal).retryAfter()).isPositive();

            slowDatabase.countDown();
            assertThat(bobs.get(30, TimeUnit.SECONDS)).isEqualTo("bob's");
        } finally {
            cut.stop();
        }
    }

    @Test
    void aReadPastTheWaitingLimitIsRefusedAtOnceAndTheOthersComplete() throws Exception {
        CountDownLatch slowDatabase = new CountDownLatch(1);
        StoreReads cut = blockedUntil(slowDatabase);
        try {
            List<CompletableFuture<Object>> admitted = new ArrayList<>();
            // two run (and wait on the database), the rest wait for a thread
            for (int i = 0; i < 2 + StoreReads.MAX_WAITING; i++) {
                admitted.add(cut.read("u" + i, em -> null));
            }
            CompletableFuture<Object> refused = cut.read("late", em -> null);

            assertThat(refused).isCompletedExceptionally();
            ExecutionException why = catchThrowableOfType(ExecutionException.class, refused::get);
            assertThat(why.getCause()).isInstanceOf(StoreUnavailable.class).hasMessageContaining("waiting already");

            slowDatabase.countDown();
            CompletableFuture.allOf(admitted.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            cut.stop();
        }
    }

    /** A read still waiting for a thread when the server stops is answered (unavailable), never left open. */
    @Test
    void aReadStillWaitingWhenTheServerStopsFailsInsteadOfHanging() throws Exception {
        CountDownLatch slowDatabase = new CountDownLatch(1);
        StoreReads cut = blockedUntil(slowDatabase);
        try {
            cut.read("alice", em -> null);
            cut.read("bob", em -> null); // both threads now wait on the database
            CompletableFuture<Object> waiting = cut.read("carol", em -> null);

            cut.stop();

            ExecutionException why = catchThrowableOfType(ExecutionException.class,
                    () -> waiting.get(5, TimeUnit.SECONDS));
            assertThat(why).as("answered").isNotNull();
            assertThat(why.getCause()).isInstanceOf(StoreUnavailable.class).hasMessageContaining("shutting down");
        } finally {
            slowDatabase.countDown();
        }
    }
}
