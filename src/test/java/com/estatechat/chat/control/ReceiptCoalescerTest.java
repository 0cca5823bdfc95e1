package com.estatechat.chat.control;

import com.estatechat.history.control.MessageIds;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.amqp.control.OutgoingMessage;
import com.estatechat.amqp.control.PublishRefused;
import com.estatechat.amqp.control.Publisher;
import com.estatechat.concurrent.SerialExecutor;
import com.estatechat.concurrent.Workers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The coalescer's lanes run each task at once, on the test's thread; the test confirms each publish. */
class ReceiptCoalescerTest {

    private final ReceiptCoalescer cut = new ReceiptCoalescer();
    private final List<OutgoingMessage> published = new ArrayList<>();
    private final List<CompletableFuture<Void>> confirms = new ArrayList<>();

    @BeforeEach
    void coalescer() {
        cut.publisher = new Publisher() {
            @Override
            public CompletableFuture<Void> publish(int orderKey, OutgoingMessage message) {
                published.add(message);
                CompletableFuture<Void> confirm = new CompletableFuture<>();
                confirms.add(confirm);
                return confirm;
            }
        };
        cut.ids = new MessageIds();
        cut.metrics = new ChatMetrics();
        cut.workers = new Workers() {
            @Override
            public SerialExecutor newLane(String name) {
                return new SerialExecutor(Runnable::run, name);
            }
        };
        cut.settings = new com.estatechat.settings.ChatSettings() {
            @Override
            public int maxReceiptsPerMessage() {
                return 5;
            }

            @Override
            public boolean persistentReceipts() {
                return true;
            }
        };
        cut.open();
    }

    @Test
    void aReceiptToASenderWithNoneOnItsWayGoesAtOnceAsItAlwaysDid() {
        CompletableFuture<Void> sent = cut.send("alice", frame("m1"), "m1");

        assertThat(published).hasSize(1);
        OutgoingMessage message = published.get(0);
        assertThat(message.kind()).isEqualTo(InboxMessages.KIND_RECEIPT);
        assertThat(message.recipient()).isEqualTo("alice");
        assertThat(message.headers()).containsEntry(InboxMessages.HEADER_RECEIPT_OF, "m1");
        assertThat(new String(message.body(), StandardCharsets.UTF_8)).isEqualTo(frame("m1"));
        assertThat(message.persistent()).isTrue();
        assertThat(sent).isNotDone();
        confirms.get(0).complete(null);
        assertThat(sent).isCompleted();
    }

    @Test
    void receiptsThatComeWhileOneIsOnItsWayGoTogetherOnceItIsConfirmed() {
        CompletableFuture<Void> first = cut.send("alice", frame("m1"), "m1");
        List<CompletableFuture<Void>> gathered = List.of(cut.send("alice", frame("m2"), "m2"),
                cut.send("alice", frame("m3"), "m3"), cut.send("alice", frame("m4"), "m4"));
        CompletableFuture<Void> toCarol = cut.send("carol", frame("m5"), "m5");

        assertThat(published).extracting(OutgoingMessage::recipient).as("carol's waits for none of alice's")
                .containsExactly("alice", "carol");
        confirms.get(0).complete(null);

        assertThat(first).isCompleted();
        assertThat(published).hasSize(3);
        OutgoingMessage together = published.get(2);
        assertThat(together.kind()).isEqualTo(InboxMessages.KIND_RECEIPTS);
        assertThat(together.recipient()).isEqualTo("alice");
        assertThat(new String(together.body(), StandardCharsets.UTF_8))
                .isEqualTo(frame("m2") + "\n" + frame("m3") + "\n" + frame("m4"));
        assertThat(together.headers()).containsEntry(InboxMessages.HEADER_RECEIPTS_OF, List.of("m2", "m3", "m4"));
        assertThat(gathered).noneMatch(CompletableFuture::isDone);
        confirms.get(2).complete(null);
        assertThat(gathered).allMatch(sent -> sent.isDone() && !sent.isCompletedExceptionally());
        assertThat(toCarol).isNotDone();
    }

    @Test
    void aRefusedMessageRefusesEveryReceiptItCarried() {
        cut.send("alice", frame("m1"), "m1");
        CompletableFuture<Void> second = cut.send("alice", frame("m2"), "m2");
        CompletableFuture<Void> third = cut.send("alice", frame("m3"), "m3");
        confirms.get(0).complete(null);

        PublishRefused full = new PublishRefused("the broker refused the message");
        confirms.get(1).completeExceptionally(full);

        assertThat(second).isCompletedExceptionally();
        assertThat(third).isCompletedExceptionally();
        Throwable failure = second.handle((stored, thrown) -> thrown).join();
        assertThat(failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure)
                .as("what Relay reads as inbox_full").isSameAs(full);
    }

    /** Past the limit a message goes at once, beside the one on its way. */
    @Test
    void noMoreThanTheLimitTravelTogether() {
        cut.send("alice", frame("m0"), "m0");
        for (int i = 1; i <= 6; i++) {
            cut.send("alice", frame("m" + i), "m" + i);
        }

        assertThat(published).hasSize(2);
        assertThat(published.get(1).headers().get(InboxMessages.HEADER_RECEIPTS_OF))
                .isEqualTo(List.of("m1", "m2", "m3", "m4", "m5"));
        confirms.get(0).complete(null);
        assertThat(published).hasSize(3);
        assertThat(published.get(2).kind()).as("m6 alone").isEqualTo(InboxMessages.KIND_RECEIPT);
    }

    /** {@code chat.delivery.max-receipts-per-message=1}: for nodes of a version that knows one receipt a message only. */
    @Test
    void aLimitOfOneSendsEachReceiptAlone() {
        cut.maxPerMessage = 1;
        cut.send("alice", frame("m1"), "m1");
        cut.send("alice", frame("m2"), "m2");

        assertThat(published).extracting(OutgoingMessage::kind)
                .containsExactly(InboxMessages.KIND_RECEIPT, InboxMessages.KIND_RECEIPT);
    }

    /** Once nothing is on its way to a sender, its next receipt goes at once again. */
    @Test
    void aReceiptAfterEveryEarlierOneWasConfirmedGoesAtOnce() {
        cut.send("alice", frame("m1"), "m1");
        confirms.get(0).complete(null);
        cut.send("alice", frame("m2"), "m2");

        assertThat(published).hasSize(2);
    }

    private static String frame(String messageId) {
        return "{\"type\":\"receipt\",\"message_id\":\"" + messageId + "\",\"status\":\"delivered\"}";
    }
}
