package com.estatechat.history.control;

import com.estatechat.concurrent.Workers;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Reads of the conversation store (and the rare erasure of a user) off the caller's thread: on two {@code chat-history-read}
 * threads, so that neither a container thread nor a user's lane waits for the database. The
 * caller continues where it belongs ({@code whenCompleteAsync(…, lane)}, or an asynchronous
 * JAX-RS response).
 */
@ApplicationScoped
public class StoreReads {

    @Inject
    ConversationStore store;

    private final ExecutorService threads = Executors.newFixedThreadPool(2, Workers.daemonThreads("chat-history-read"));

    private interface StoreCall<T> {
        T run() throws StoreUnavailable;
    }

    /** @return the query's result; fails with {@link StoreUnavailable} when the store cannot answer */
    public <T> CompletableFuture<T> read(Function<EntityManager, T> query) {
        return onStoreThread(() -> store.read(query));
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
            result.completeExceptionally(new StoreUnavailable("the server is shutting down", e));
        }
        return result;
    }

    @PreDestroy
    void stop() {
        threads.shutdownNow();
    }
}
