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
 * Reads of the conversation store (and the rare erasure of a user, and a user's push switch) off
 * the caller's thread: on two {@code chat-history-read} threads, so that neither a container
 * thread nor a user's lane waits for the database. The caller continues where it belongs
 * ({@code whenCompleteAsync(…, lane)}, or an asynchronous JAX-RS response). Each user's reads are held to its share ({@link ReadLimits}) before they
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
    private static final String SHUTTING_DOWN = "the server is shutting down";

    private final ExecutorService threads = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(MAX_WAITING), Workers.daemonThreads("chat-history-read"));

    /** A call of the store, made on a {@code chat-history-read} thread. */
    public interface StoreCall<T> {
        T run() throws StoreUnavailable;
    }

    /** A call waiting for a thread: failed, not forgotten, when the server stops first. */
    private static final class Waiting<T> implements Runnable {
        final StoreCall<T> call;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Waiting(StoreCall<T> call) {
            this.call = call;
        }

        @Override
        public void run() {
            try {
                result.complete(call.run());
            } catch (StoreUnavailable | RuntimeException e) {
                result.completeExceptionally(e);
            }
        }
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
        return limited(readerId, () -> store.read(query));
    }

    /**
     * Any other call of the store made for a user (its push switch, say), held to that user's share
     * like a read.
     */
    public <T> CompletableFuture<T> limited(String readerId, StoreCall<T> call) {
        Optional<Duration> refused = limits.admit(readerId);
        if (refused.isPresent()) {
            metrics.readRefused();
            return CompletableFuture.failedFuture(new TooManyReads("too many reads of the conversation store by "
                    + readerId + "; retry later", refused.get()));
        }
        CompletableFuture<T> read = onStoreThread(call);
        read.whenComplete((result, failure) -> limits.done(readerId));
        return read;
    }

    /** Deletes the user's stored messages (see {@link ConversationStore#erase}); completes with how many rows went. */
    public CompletableFuture<Integer> erase(String userId) {
        return onStoreThread(() -> store.erase(userId));
    }

    private <T> CompletableFuture<T> onStoreThread(StoreCall<T> call) {
        Waiting<T> waiting = new Waiting<>(call);
        try {
            threads.execute(waiting);
        } catch (RejectedExecutionException e) {
            waiting.result.completeExceptionally(new StoreUnavailable(threads.isShutdown() ? SHUTTING_DOWN
                    : MAX_WAITING + " reads of the conversation store are waiting already", e));
        }
        return waiting.result;
    }

    /** Stops the threads: a call under way is interrupted, those still waiting fail. */
    @PreDestroy
    void stop() {
        for (Runnable never : threads.shutdownNow()) {
            ((Waiting<?>) never).result.completeExceptionally(new StoreUnavailable(SHUTTING_DOWN, null));
        }
    }
}
