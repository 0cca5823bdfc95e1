package com.estatechat.history.control;

import com.estatechat.concurrent.Workers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Reads of the conversation store (and the rare erasure of a user) off the caller's thread: on two {@code chat-history-read}
 * threads, so that neither a container thread nor a user's lane waits for the database. The
 * caller continues where it belongs ({@code whenCompleteAsync(…, lane)}, or an asynchronous
 * JAX-RS response). Each user's reads are held to its share ({@link ReadLimits}) before they
 * join the one line, so that one user's flood is refused ({@link TooManyReads}) and the others'
 * reads still find room; an erasure (an admin's, rare) is not counted.
 */
@ApplicationScoped
public class StoreReads {

    @Inject
    ConversationStore store;

    @Inject
    HistorySettings settings;

    @Inject
    HistoryMetrics metrics;

    ReadLimits limits;

    /** Reads waiting for a thread, at most: past it a read is refused at once (503, unavailable) instead of queueing without end. */
    static final int MAX_WAITING = 1_000;

    private final ExecutorService threads = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING), Workers.daemonThreads("chat-history-read"));

    private interface StoreCall<T> {
        T run() throws StoreUnavailable;
    }

    @PostConstruct
    void createLimits() {
        limits = new ReadLimits(settings.readsInFlight(), settings.readsPerSecond(), settings.readsBurst(),
                System::nanoTime);
    }

    /**
     * @param readerId who asks (the caller, not the user whose messages are read): the user whose
     *        share of the store's threads this read takes
     * @return the query's result; fails with {@link TooManyReads} past the reader's share, with
     *         {@link StoreUnavailable} when the store cannot answer
     */
    public <T> CompletableFuture<T> read(String readerId, Function<EntityManager, T> query) {
        Optional<Duration> refused = limits.admit(readerId);
        if (refused.isPresent()) {
            metrics.readRefused();
            return CompletableFuture.failedFuture(new TooManyReads("too many reads of the conversation store by "
                    + readerId + "; retry later", refused.get()));
        }
        CompletableFuture<T> read = onStoreThread(() -> store.read(query));
        read.whenComplete((result, failure) -> limits.done(readerId));
        return read;
    }

    /** Deletes the user's stored messages (see {@link ConversationStore#erase}); completes with how many rows went. */
    public CompletableFuture<Integer> erase(String userId) {
        return onStoreThread(() -> store.erase(userId));
    }

    private <T> CompletableFuture<T> onStoreThread(StoreCall<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            threads.execute(() -> {
                try {
                    result.complete(call.run());
                } catch (StoreUnavailable | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StoreUnavailable(threads.isShutdown() ? "the server is shutting down"
                    : MAX_WAITING + " reads of the conversation store are waiting already", e));
        }
        return result;
    }

    @PreDestroy
    void stop() {
        threads.shutdownNow();
    }
}
