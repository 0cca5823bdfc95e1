package com.estatechat.chat.control;

import com.estatechat.history.control.MessageIds;
import com.estatechat.amqp.control.OutgoingMessage;
import com.estatechat.amqp.control.Publisher;
import com.estatechat.concurrent.Coalescer;
import com.estatechat.concurrent.Workers;
import com.estatechat.settings.ChatSettings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Sends {@code delivered} and {@code read} receipts to their senders' inboxes, several to one
 * sender in one broker message when they come close together. The first receipt to a sender goes
 * at once; while it waits for the broker's confirm, the next receipts to that sender gather, and
 * go as one message when it is confirmed (or at once when {@code chat.delivery.max-receipts-per-message}
 * have gathered). So a receipt waits at most one confirm longer than before, and only while
 * another to the same sender is on its way; a sender that many recipients answer at once (a
 * broadcast, a busy landlord) costs the broker one message per confirm instead of one per receipt.
 * <p>
 * Threads: each sender's receipts gather (a {@link Coalescer}) on one of a few lanes, chosen by the
 * sender's id, which publish them on one publisher lane: a sender's receipts reach its inbox in the
 * order they were given here. A receipt's future completes on the publisher lane's thread once the
 * message that carries it was confirmed, or fails as that message's publish failed (callers
 * continue on their own lanes).
 * <p>
 * On the wire: one receipt is a {@code receipt} message, several a {@code receipts} message
 * ({@link InboxMessages}); {@link OnlineUser} splits it.
 */
@ApplicationScoped
public class ReceiptCoalescer {

    /** Enough lanes that one busy sender does not hold up the others' receipts for long. */
    static final int LANES = 16;

    @Inject
    Publisher publisher;

    @Inject
    MessageIds ids;

    @Inject
    ChatSettings settings;

    @Inject
    Workers workers;

    @Inject
    ChatMetrics metrics;

    int maxPerMessage;
    boolean persistent;
    private final List<Lane> lanes = new ArrayList<>(LANES);

    @PostConstruct
    void open() {
        maxPerMessage = settings.maxReceiptsPerMessage();
        persistent = settings.persistentReceipts();
        for (int i = 0; i < LANES; i++) {
            lanes.add(new Lane(workers.newLane("receipts-" + i)));
        }
    }

    /**
     * @param senderId whose inbox the receipt goes to
     * @param frame the receipt frame's JSON, as the sender sees it
     * @param aboutMessageId the id of the message the receipt is about
     * @return completes once the broker stored the message that carries the receipt; fails as
     *         {@link Publisher#publish} does
     */
    public CompletableFuture<Void> send(String senderId, String frame, String aboutMessageId) {
        Lane lane = lanes.get(Math.floorMod(senderId.hashCode(), lanes.size()));
        return CompletableFuture.supplyAsync(() -> lane.outbox(senderId).add(new Receipt(frame, aboutMessageId)),
                lane.executor).thenCompose(Function.identity());
    }

    private record Receipt(String frame, String aboutMessageId) {
    }

    /** The outboxes of some senders: the receipts to each that gather while one to it is on its way. */
    private final class Lane {
        final Executor executor;
        // the executor's
        final Map<String, Coalescer<Receipt>> outboxes = new HashMap<>();

        Lane(Executor executor) {
            this.executor = executor;
        }

        Coalescer<Receipt> outbox(String senderId) {
            return outboxes.computeIfAbsent(senderId, id -> new Coalescer<>(executor, 1, maxPerMessage,
                    batch -> publish(senderId, batch), () -> outboxes.remove(senderId)));
        }
    }

    private CompletableFuture<Void> publish(String senderId, List<Receipt> batch) {
        CompletableFuture<Void> stored = publisher.publish(senderId.hashCode(), message(senderId, batch));
        stored.thenRun(() -> metrics.receiptsStored(batch.size()));
        return stored;
    }

    private OutgoingMessage message(String senderId, List<Receipt> batch) {
        return InboxMessages.receipts(ids.next(), senderId, batch.stream().map(Receipt::frame).toList(),
                batch.stream().map(Receipt::aboutMessageId).toList()).persistent(persistent);
    }
}
