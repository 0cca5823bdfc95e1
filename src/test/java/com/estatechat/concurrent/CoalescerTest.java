package com.estatechat.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The owner runs each task at once, on the test's thread; the test completes each batch's send. */
class CoalescerTest {

    private final List<List<String>> sent = new ArrayList<>();
    private final List<CompletableFuture<Void>> sends = new ArrayList<>();
    private final AtomicInteger idle = new AtomicInteger();

    private Coalescer<String> coalescer(int maxInFlight, int maxItems) {
        return new Coalescer<>(Runnable::run, maxInFlight, maxItems, batch -> {
            sent.add(batch);
            CompletableFuture<Void> send = new CompletableFuture<>();
            sends.add(send);
            return send;
        }, idle::incrementAndGet);
    }

    @Test
    void whileFewerThanTheMostAreOnTheirWayAnItemGoesAtOnce() {
        Coalescer<String> cut = coalescer(2, 10);
        cut.add("a");
        cut.add("b");

        assertThat(sent).containsExactly(List.of("a"), List.of("b"));
    }

    @Test
    void whatGathersGoesAsOneBatchWhenOneOnItsWayCompletes() {
        Coalescer<String> cut = coalescer(1, 10);
        CompletableFuture<Void> a = cut.add("a");
        CompletableFuture<Void> b = cut.add("b");
        CompletableFuture<Void> c = cut.add("c");
        assertThat(sent).containsExactly(List.of("a"));

        sends.get(0).complete(null);

        assertThat(a).isCompleted();
        assertThat(sent).containsExactly(List.of("a"), List.of("b", "c"));
        assertThat(b).isNotDone();
        sends.get(1).complete(null);
        assertThat(b).isCompleted();
        assertThat(c).isCompleted();
    }

    @Test
    void atTheMostItemsABatchGoesAtOnce() {
        Coalescer<String> cut = coalescer(1, 2);
        cut.add("a");
        cut.add("b");
        cut.add("c");
        cut.add("d");

        assertThat(sent).containsExactly(List.of("a"), List.of("b", "c"));
    }

    @Test
    void aFailedSendFailsEveryItemItCarriedAndTheNextStillGo() {
        Coalescer<String> cut = coalescer(1, 10);
        CompletableFuture<Void> a = cut.add("a");
        CompletableFuture<Void> b = cut.add("b");
        IllegalStateException broken = new IllegalStateException("no broker");

        sends.get(0).completeExceptionally(broken);

        assertThat(a).isCompletedExceptionally();
        assertThat(a.handle((ok, failure) -> failure).join()).isSameAs(broken);
        assertThat(sent).containsExactly(List.of("a"), List.of("b"));
        assertThat(b).isNotDone();
    }

    @Test
    void aSendThatThrowsFailsItsItemsInsteadOfEscaping() {
        IllegalStateException broken = new IllegalStateException("closed");
        Coalescer<String> cut = new Coalescer<>(Runnable::run, 1, 10, batch -> {
            throw broken;
        }, () -> { });

        CompletableFuture<Void> a = cut.add("a");

        assertThat(a.handle((ok, failure) -> failure).join()).isSameAs(broken);
        assertThat(cut.idle()).isTrue();
    }

    @Test
    void itSaysWhenNothingIsLeftOnItsWayOrGathering() {
        Coalescer<String> cut = coalescer(1, 10);
        cut.add("a");
        cut.add("b");
        assertThat(cut.idle()).isFalse();

        sends.get(0).complete(null);
        assertThat(idle).as("b is on its way").hasValue(0);
        sends.get(1).complete(null);

        assertThat(idle).hasValue(1);
        assertThat(cut.idle()).isTrue();
    }

    @Test
    void whatGatheredIsRefusedWhenTheApplicationStops() {
        Coalescer<String> cut = coalescer(1, 10);
        cut.add("a");
        CompletableFuture<Void> b = cut.add("b");
        IllegalStateException stopping = new IllegalStateException("shutting down");

        cut.refuseGathered(stopping);
        sends.get(0).complete(null);

        assertThat(b.handle((ok, failure) -> failure).join()).isSameAs(stopping);
        assertThat(sent).containsExactly(List.of("a"));
    }
}
