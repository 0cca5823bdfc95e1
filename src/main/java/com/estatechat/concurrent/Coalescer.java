package com.estatechat.concurrent;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Items given while earlier ones are on their way travel together: an item goes at once while
 * fewer than {@code maxInFlight} batches are on their way (awaiting a broker's confirm, say); else
 * it gathers with the next, which go as one batch when a batch on its way completes, or at once
 * when {@code maxItems} have gathered. So an idle coalescer adds no wait, and a busy one sends
 * fewer, larger batches. Each item's future completes as its batch's send does, on the thread
 * that completes the send.
 * <p>
 * Not thread-safe: {@link #add}, {@link #idle} and {@link #refuseGathered} run on the owner (a
 * lane, or one thread), and the rest of a batch's completion is handed to it.
 *
 * @param <T> what gathers
 */
public final class Coalescer<T> {

    private final Executor owner;
    private final int maxInFlight;
    private final int maxItems;
    private final Function<List<T>, CompletableFuture<Void>> send;
    private final Runnable whenIdle;
    // the owner's
    private List<T> items = new ArrayList<>();
    private List<CompletableFuture<Void>> waiting = new ArrayList<>();
    private int inFlight;

    /**
     * @param owner runs everything of this coalescer
     * @param send sends one batch; its future completes once the batch is safe (or fails)
     * @param whenIdle told on the owner when a completed batch leaves nothing on its way or gathering
     */
    public Coalescer(Executor owner, int maxInFlight, int maxItems, Function<List<T>, CompletableFuture<Void>> send,
            Runnable whenIdle) {
        if (maxInFlight < 1 || maxItems < 1) {
            throw new IllegalArgumentException("maxInFlight and maxItems must be at least 1");
        }
        this.owner = owner;
        this.maxInFlight = maxInFlight;
        this.maxItems = maxItems;
        this.send = send;
        this.whenIdle = whenIdle;
    }

    /** On the owner. @return completes when the batch that carries {@code item} was sent, or fails as it did */
    public CompletableFuture<Void> add(T item) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        items.add(item);
        waiting.add(done);
        if (inFlight < maxInFlight || items.size() >= maxItems) {
            sendGathered();
        }
        return done;
    }

    /** On the owner: nothing is on its way and nothing gathers. */
    public boolean idle() {
        return inFlight == 0 && items.isEmpty();
    }

    /** On the owner: what gathered is not sent; its futures fail with {@code why} (the application stops). */
    public void refuseGathered(Throwable why) {
        List<CompletableFuture<Void>> refused = waiting;
        items = new ArrayList<>();
        waiting = new ArrayList<>();
        refused.forEach(future -> future.completeExceptionally(why));
    }

    private void sendGathered() {
        if (items.isEmpty()) {
            return;
        }
        List<T> batch = items;
        List<CompletableFuture<Void>> told = waiting;
        items = new ArrayList<>();
        waiting = new ArrayList<>();
        inFlight++;
        CompletableFuture<Void> sent;
        try {
            sent = send.apply(batch);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ok, failure) -> {
            told.forEach(future -> {
                if (failure == null) {
                    future.complete(null);
                } else {
                    future.completeExceptionally(failure);
                }
            });
            try {
                owner.execute(this::completed);
            } catch (RejectedExecutionException e) {
                // the owner stopped with the application: nothing more goes out
            }
        });
    }

    private void completed() {
        inFlight--;
        sendGathered();
        if (idle()) {
            whenIdle.run();
        }
    }
}
