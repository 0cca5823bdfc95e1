package com.estatechat.chat.control;

import com.estatechat.chat.limits.InboxShares;
import com.estatechat.chat.limits.UserBudget;
import com.estatechat.chat.limits.FrameRateLimit;
import com.estatechat.json.JsonCodec;
import com.estatechat.amqp.control.InboxDelivery;
import com.estatechat.amqp.control.InboxListener;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.amqp.control.Inboxes;
import com.estatechat.amqp.control.NodeNotice;
import com.estatechat.amqp.control.NodeNotices;
import com.estatechat.identity.Broadcast;
import com.estatechat.identity.Role;
import com.estatechat.chat.entity.MessageFrame;
import com.estatechat.concurrent.SerialExecutor;
import com.estatechat.chat.entity.ReceiptFrame;
import com.estatechat.logging.LogText;
import com.estatechat.metrics.StepMeter;
import jakarta.websocket.CloseReason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One user on this node, as an actor: the user's connections, the one consumer on the user's
 * inbox, and the deliveries it holds. Every change to that state runs on the user's lane (a
 * {@link com.estatechat.concurrent.SerialExecutor}), one task at a time, so it needs no lock; the
 * public methods only hand work to the lane, whichever thread calls them (a container thread, a
 * thread of the AMQP client library, a send's completion). Every delivery goes to every greeted
 * connection; the first ack from any of them settles it. When the last connection leaves, the
 * consumer is cancelled and what was not acked goes back to the inbox.
 * <p>
 * A connection is greeted (its {@code connected} frame) once the inbox is declared, bound and
 * consumed, or the attempt failed: after {@code connected}, the user receives every message and
 * broadcast sent from then on.
 * <p>
 * A connection may hold a delivery unsettled for {@code chat.delivery.ack-timeout} at most: a message
 * not acked, or a receipt it has not proven it read. The heartbeat's round asks the lane to
 * {@linkplain #heartbeat check}, and the lane closes a connection past it, so that the broker's
 * {@code consumer_timeout} never closes a channel the consumers of other users share.
 */
final class OnlineUser implements InboxListener {

    private static final Logger LOG = Logger.getLogger(OnlineUser.class.getName());


    private final String userId;
    private final Executor lane;
    private final Inboxes inboxes;
    private final JsonCodec codec;
    private final ChatMetrics metrics;
    private final UserBudget budget;
    /** What this node tells the others about the user; null when fan-out across nodes is off. */
    private final NodeNotices nodes;

    /** The registry's view, changed only under its map entry's lock: whether the user is still here. */
    private final Set<ChatConnection> members = ConcurrentHashMap.newKeySet();
    /**
     * Messages this user sent from this node whose answer ({@code queued} or an error) has not gone
     * out yet: added by the sending thread before the publish, so before any receipt of it can
     * exist; removed on the lane by {@link #answered}.
     */
    private final Set<String> unanswered = ConcurrentHashMap.newKeySet();

    /** The clock the ack deadline reads ({@link System#nanoTime()}); a test sets its own. */
    LongSupplier clock = System::nanoTime;

    // everything below is touched on the lane only
    private final List<ChatConnection> waiting = new ArrayList<>();
    /** Each greeted connection and when it was greeted: it holds what is pending from then on. */
    private final Map<ChatConnection, Long> greeted = new LinkedHashMap<>();
    private final Map<String, PendingDelivery> pending = new LinkedHashMap<>();
    /**
     * The messages whose deliveries left {@link #pending} lately, taken by an ack or gone back to
     * the inbox with their consumer, and when ({@link #clock}): an ack of one again is no error.
     * Oldest first; at most {@link #RELEASED_KEPT}, each for {@link #RELEASED_FOR}.
     */
    private final Map<String, Long> released = new LinkedHashMap<>();
    static final int RELEASED_KEPT = 256;
    static final Duration RELEASED_FOR = Duration.ofMinutes(1);
    /** Receipts sent and not settled, for the ack deadline of the connections that have not answered. */
    private final Set<Proof> proving = new LinkedHashSet<>();
    /** Receipts no connection has read yet: sent to the next connection greeted. */
    private final List<HeldReceipt> heldReceipts = new ArrayList<>();
    /** Receipts that came before the answer to the send they are about: they follow it. */
    private final Map<String, List<HeldReceipt>> aheadOfTheirAnswer = new HashMap<>();
    private Role role;
    private InboxSubscription subscription;
    private boolean subscribing;
    private boolean closed;
    /** Completes once the user has left this node and its consumer is over (its acks written). */
    private final CompletableFuture<Void> over = new CompletableFuture<>();
    /** Told once no send of this user waits for its answer ({@link #sendsAnswered}). */
    private final List<CompletableFuture<Void>> awaitingAnswers = new ArrayList<>();
    /** The inbox was deleted: never subscribe again, which would create it anew. */
    private boolean removed;
    /** The other nodes that have connections of this user (their hello or here came, and no bye). */
    private final Set<String> peers = new LinkedHashSet<>();
    /**
     * Copies of deliveries another node holds, by message id: which node to send an ack to, and
     * which connections here were sent it, and when it came. Oldest first; at most
     * {@link #COPIES_KEPT}, none older than the ack deadline (by then the holder had an ack, or
     * closed its late connections and the message comes again): a device here that never acks
     * holds no memory for long.
     */
    private final Map<String, RemoteCopy> copies = new LinkedHashMap<>();
    static final int COPIES_KEPT = 1_024;
    /**
     * With fan-out, receipt frames lately shown to connections here and not settled here, and to
     * which: one that comes again (its holder went, and the next one has it from the inbox) is
     * proven without being shown twice. Oldest first; at most {@link #RECEIPTS_SHOWN_KEPT}, each for
     * {@link #RECEIPTS_SHOWN_FOR}.
     */
    private final Map<String, Shown> receiptsShown = new LinkedHashMap<>();
    static final int RECEIPTS_SHOWN_KEPT = 256;
    static final Duration RECEIPTS_SHOWN_FOR = Duration.ofMinutes(2);

    OnlineUser(String userId, Executor lane, Inboxes inboxes, JsonCodec codec, ChatMetrics metrics,
            UserBudget budget) {
        this(userId, lane, inboxes, codec, metrics, budget, null);
    }

    OnlineUser(String userId, Executor lane, Inboxes inboxes, JsonCodec codec, ChatMetrics metrics,
            UserBudget budget, NodeNotices nodes) {
        this.nodes = nodes;
        this.userId = userId;
        this.lane = lane;
        this.inboxes = inboxes;
        this.codec = codec;
        this.metrics = metrics;
        this.budget = budget;
    }

    /** The frames this user may send on this node, across its connections and reconnections. */
    FrameRateLimit rateLimit() {
        return budget.frames();
    }

    /** This user's share of each recipient's inbox. */
    InboxShares inboxShares() {
        return budget.inboxShares();
    }

    String userId() {
        return userId;
    }

    /** The lane on which this user's state changes: continue there after an asynchronous step. */
    Executor lane() {
        return lane;
    }

    // ---- called by the registry under its map entry's lock: they only queue work on the lane

    void join(ChatConnection connection) {
        admit(connection);
        lane.execute(() -> joined(connection));
    }

    /**
     * The first connection of a user just made, as a member only: the lane gets its work from
     * {@link #start}, once the registry shows the user.
     */
    void admit(ChatConnection connection) {
        members.add(connection);
        connection.joined(this);
    }

    /** @return true when that was the last connection: the registry drops this user, and it closes */
    boolean leave(ChatConnection connection) {
        if (!members.remove(connection)) {
            return false;
        }
        lane.execute(() -> left(connection));
        if (members.isEmpty()) {
            lane.execute(this::closed);
            return true;
        }
        return false;
    }

    Set<ChatConnection> connections() {
        return members;
    }

    /** By the registry once it shows this user, outside its lock: the first connection's work, to the lane. */
    void start(ChatConnection first) {
        lane.execute(() -> joined(first));
    }

    /** Starts the inbox consumer unless it runs or is starting; safe to call often. */
    void ensureSubscribed() {
        lane.execute(this::subscribe);
    }

    /**
     * The heartbeat's round, handed to the lane: closes each connection that has held a delivery
     * unsettled longer than {@code ackTimeout}, and starts a missing consumer when {@code resubscribe}.
     */
    void heartbeat(Duration ackTimeout, boolean resubscribe) {
        lane.execute(() -> {
            long now = clock.getAsLong();
            forgetShown(now);
            copies.values().removeIf(copy -> now - copy.at() > ackTimeout.toNanos());
            closeLateAcknowledgers(ackTimeout);
            if (resubscribe) {
                subscribe();
            }
        });
    }

    /**
     * A message of this user is about to be published; any thread. Its receipts wait for
     * {@link #answered} (the broker's confirm and a recipient's ack race: see forwardReceipt).
     */
    void sending(String messageId) {
        unanswered.add(messageId);
    }

    // ---- called by the client library: handed over

    @Override
    public void onDelivery(InboxSubscription from, InboxDelivery delivery) {
        lane.execute(() -> deliver(from, delivery));
    }

    @Override
    public void onLost(InboxSubscription source, String reason) {
        lane.execute(() -> lost(source, reason));
    }

    @Override
    public void onRemoved(InboxSubscription source) {
        lane.execute(() -> removed(source));
    }

    /**
     * Another node said something about this user (not an ack: {@link Relay} settles those);
     * {@code handled} runs on the lane once it is done.
     */
    void onNotice(NodeNotice notice, Runnable handled) {
        lane.execute(() -> {
            try {
                noticed(notice);
            } finally {
                handled.run();
            }
        });
    }

    // ---- on the lane

    private void joined(ChatConnection connection) {
        if (closed) {
            return; // it left before its first work reached the lane (see start)
        }
        if (removed) {
            connection.close(CloseReason.CloseCodes.VIOLATED_POLICY, "user removed");
            return;
        }
        role = connection.identity().role();
        waiting.add(connection);
        if (subscription != null) {
            if (nodes != null) {
                // hello again: the node holding the user's deliveries sends this new device what it holds
                nodes.join(userId, this).whenComplete((bound, failure) -> lane.execute(() -> greet(connection)));
                return;
            }
            greet(connection);
        } else {
            subscribe();
        }
    }

    private void left(ChatConnection connection) {
        waiting.remove(connection);
        greeted.remove(connection);
        copies.values().forEach(copy -> copy.sentTo().remove(connection));
        receiptsShown.values().forEach(shown -> shown.to().remove(connection));
    }

    /**
     * Closes with 1008 each connection that holds a delivery unsettled longer than {@code ackTimeout}:
     * a message it was sent and no connection acked (counted from when it was sent, or from the
     * greeting of a connection that joined later and was sent it then), or a receipt it was sent and
     * has not proven it read. Its deliveries go back to the inbox once the user's last connection
     * left; no other user's consumer is touched.
     */
    private void closeLateAcknowledgers(Duration ackTimeout) {
        if (greeted.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        long limit = ackTimeout.toNanos();
        long oldestMessage = -1; // how long the oldest message shown has waited for its ack; -1: none
        for (PendingDelivery delivery : pending.values()) {
            if (delivery.shown()) {
                oldestMessage = Math.max(oldestMessage, now - delivery.shownAt());
            }
        }
        for (Map.Entry<ChatConnection, Long> entry : List.copyOf(greeted.entrySet())) {
            ChatConnection connection = entry.getKey();
            long held = oldestMessage < 0 ? -1 : Math.min(oldestMessage, now - entry.getValue());
            for (Proof proof : proving) {
                if (proof.unanswered.contains(connection)) {
                    held = Math.max(held, now - proof.sentAt);
                }
            }
            if (held > limit) {
                long heldMillis = Duration.ofNanos(held).toMillis();
                LOG.info(() -> "Closing the connection of " + userId + " (session " + connection.id() + "): it held a"
                        + " delivery unacknowledged for " + heldMillis + " ms (chat.delivery.ack-timeout "
                        + ackTimeout.toMillis() + " ms)");
                connection.close(CloseReason.CloseCodes.VIOLATED_POLICY, "delivery not acknowledged within "
                        + inWords(ackTimeout));
            }
        }
    }

    /** {@code 300 s}, or {@code 1500 ms} when not whole seconds. */
    static String inWords(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** Ends the consumer: every delivery not acked goes back to the inbox. */
    private void closed() {
        assert SerialExecutor.runsOn(lane) : "not on the lane of " + userId;
        closed = true;
        InboxSubscription running = subscription;
        subscription = null;
        pending.clear();
        released.clear();
        proving.clear();
        heldReceipts.clear(); // the subscription's end requeues them
        receiptsShown.clear();
        aheadOfTheirAnswer.clear();
        if (nodes != null) {
            peers.clear();
            copies.clear();
            nodes.leave(userId, this);
        }
        if (running != null) {
            running.close();
            running.whenOver().whenComplete((done, failure) -> over.complete(null));
        } else {
            over.complete(null);
        }
    }

    /**
     * Completes once every send of this user taken so far was answered ({@code queued} or an error
     * queued to its connection). Any thread; it completes on the lane.
     */
    CompletionStage<Void> sendsAnswered() {
        CompletableFuture<Void> answered = new CompletableFuture<>();
        lane.execute(() -> {
            if (unanswered.isEmpty()) {
                answered.complete(null);
            } else {
                awaitingAnswers.add(answered);
            }
        });
        return answered;
    }

    /**
     * Completes once the user's last connection here has left and its inbox consumer is over: what
     * it left unacked went back to the inbox, and the acks it had settled were written. Any thread.
     */
    CompletionStage<Void> over() {
        return over.minimalCompletionStage();
    }

    private void subscribe() {
        if (closed || removed || subscription != null || subscribing || role == null) {
            return;
        }
        subscribing = true;
        CompletableFuture<InboxSubscription> consuming = inboxes.subscribe(userId, Broadcast.keysFor(role),
                Broadcast.keysNotFor(role), this);
        // greeted only once this node's queue is bound for the user too: no copy sent after that misses it
        CompletableFuture<Void> present = nodes == null ? CompletableFuture.completedFuture(null)
                : nodes.join(userId, this).exceptionally(failure -> {
                    LOG.warning(() -> "Cannot tell the other nodes about " + userId + ": " + failure.getMessage()
                            + "; its devices on other nodes miss live copies until it connects again");
                    return null;
                });
        consuming.whenComplete((started, failure) -> present.whenComplete(
                (bound, ignored) -> lane.execute(() -> subscribed(started, failure))));
    }

    private void subscribed(InboxSubscription started, Throwable failure) {
        subscribing = false;
        if (failure == null && (closed || !started.isOpen())) {
            started.close();
            if (!closed) {
                subscribe(); // it was lost before it could be used
            }
            return;
        }
        if (failure == null) {
            subscription = started;
        } else {
            LOG.warning(() -> "Cannot consume the inbox of " + userId + " yet: " + failure.getMessage()
                    + "; messages wait in the broker and the server retries");
        }
        // greet also when the broker is unreachable: the client may then send, and is told unavailable
        List.copyOf(waiting).forEach(this::greet);
    }

    /**
     * Sends the {@code connected} frame, then what the user holds unacked: marked
     * {@code redelivered} when another connection was sent it (the user may have seen it there),
     * as it is when none was (it arrived while the consumer was starting).
     */
    private void greet(ChatConnection connection) {
        assert SerialExecutor.runsOn(lane) : "not on the lane of " + userId;
        if (greeted.containsKey(connection)) {
            return;
        }
        StepMeter.Start started = metrics.greet().start();
        greetNow(connection);
        metrics.greet().stop(started);
    }

    private void greetNow(ChatConnection connection) {
        long now = clock.getAsLong();
        connection.greet();
        for (Map.Entry<String, PendingDelivery> entry : pending.entrySet()) {
            PendingDelivery delivery = entry.getValue();
            connection.send(delivery.shown() ? asRedelivered(delivery.frame()) : delivery.frame());
            entry.setValue(delivery.asShown(now));
        }
        // copies that came before any connection here was greeted; later ones come with the holder's answer to hello
        for (RemoteCopy copy : copies.values()) {
            if (copy.sentTo().isEmpty()) {
                connection.send(copy.frame());
                copy.sentTo().add(connection);
            }
        }
        waiting.remove(connection);
        greeted.put(connection, now);
        List<HeldReceipt> held = List.copyOf(heldReceipts);
        heldReceipts.clear();
        held.forEach(receipt -> sendReceipt(receipt, List.of(connection), List.of(connection)));
    }

    private String asRedelivered(String json) {
        return codec.toJson(codec.fromJson(json, MessageFrame.class).redelivered(true));
    }

    private void deliver(InboxSubscription from, InboxDelivery delivery) {
        assert SerialExecutor.runsOn(lane) : "not on the lane of " + userId;
        if (closed || !from.isOpen() || (subscription != null && from != subscription)) {
            return; // its consumer is gone or going: its end requeues this delivery (or its channel went)
        }
        if (InboxMessages.isReceipt(delivery)) {
            forwardReceipt(delivery, from);
        } else if (InboxMessages.isMessage(delivery)) {
            forwardMessage(delivery, from);
        } else {
            LOG.severe(() -> "Dead-lettering delivery " + delivery.messageId() + " in the inbox of " + userId
                    + ": unknown type " + delivery.kind());
            from.deadLetter(delivery);
        }
    }

    /**
     * The body is the frame the recipient sees, written by {@link Relay} with
     * {@code redelivered: false}: a first delivery goes out as it is, and only a redelivery (or a
     * message without the sender header, from before it existed) is decoded and written again.
     */
    private void forwardMessage(InboxDelivery delivery, InboxSubscription from) {
        String messageId = delivery.messageId();
        String senderId = InboxMessages.senderId(delivery);
        String json;
        MessageFrame frame = null;
        if (!delivery.redelivered() && messageId != null && senderId != null) {
            json = new String(delivery.body(), StandardCharsets.UTF_8);
        } else {
            try {
                frame = codec.fromJson(new String(delivery.body(), StandardCharsets.UTF_8), MessageFrame.class);
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, e, () -> "Dead-lettering unreadable message " + delivery.messageId()
                        + " in the inbox of " + userId);
                from.deadLetter(delivery);
                return;
            }
            messageId = frame.messageId();
            senderId = frame.senderId();
            json = codec.toJson(frame.redelivered(delivery.redelivered()));
        }
        if (delivery.redelivered()) {
            metrics.redelivered();
        }
        // what was decoded is kept: the ack records the message's fields without decoding it again
        pending.put(messageId, new PendingDelivery(messageId, senderId, InboxMessages.clientMsgId(delivery), json,
                frame, delivery.deliveryTag(), from, !greeted.isEmpty(), clock.getAsLong()));
        for (ChatConnection connection : greeted.keySet()) {
            connection.send(json);
        }
        copies.remove(messageId); // held here now (its holder left, or an inbox shared by two consumers)
        for (String peer : peers) {
            nodes.copy(peer, userId, messageId, json);
        }
    }

    /**
     * A receipt needs no client ack: it is settled once a connection proved it read it (see
     * {@link ReadProofs}). Until then the delivery stays unacked; when every connection it went to
     * ended first, it goes to the connections that joined meanwhile, or waits for the next one.
     * It is never requeued while the user is online: that would bring it straight back (and count
     * against a quorum queue's delivery limit). A receipt of a message whose sender on this node
     * has not been answered yet waits for that answer ({@link #answered}). Several receipts in one
     * broker message ({@link InboxMessages#KIND_RECEIPTS}) are one delivery: they go out together, in order, and
     * are settled together.
     */
    private void forwardReceipt(InboxDelivery delivery, InboxSubscription from) {
        List<String> frames = InboxMessages.receiptFrames(delivery);
        if (!budget.inboxShares().isEmpty()) {
            // decoded only while this user holds places in others' inboxes
            frames.forEach(this::freeInboxShare);
        }
        List<String> about = InboxMessages.receiptsAbout(delivery);
        HeldReceipt receipt = new HeldReceipt(frames, about, delivery.deliveryTag(), from);
        if (waitsForAnAnswer(receipt)) {
            // the recipient acked before the broker's confirm of the message reached this node (a
            // confirm waits for the disk): the sender hears queued first, a status only moves forward
            about.stream().filter(unanswered::contains).distinct().forEach(id ->
                    aheadOfTheirAnswer.computeIfAbsent(id, key -> new ArrayList<>(1)).add(receipt));
            return;
        }
        route(receipt);
    }

    /** A {@code delivered} receipt: the recipient it names has one message of this user less waiting. */
    private void freeInboxShare(String receiptJson) {
        try {
            ReceiptFrame receipt = codec.fromJson(receiptJson, ReceiptFrame.class);
            if (ReceiptFrame.DELIVERED.equals(receipt.status()) && receipt.targetId() != null) {
                budget.inboxShares().giveBack(receipt.targetId());
            }
        } catch (RuntimeException e) {
            // the receipt still goes to the client as it came; only its count is not lowered
            LOG.log(Level.WARNING, e, () -> "A receipt to " + userId + " could not be read: its recipient's inbox"
                    + " share was not lowered");
        }
    }

    /**
     * The sender of {@code messageId} was answered ({@code queued} or an error went to its
     * connection): the receipts of it that came first follow now. On the lane.
     */
    void answered(String messageId) {
        assert SerialExecutor.runsOn(lane) : "not on the lane of " + userId;
        unanswered.remove(messageId);
        if (unanswered.isEmpty() && !awaitingAnswers.isEmpty()) {
            awaitingAnswers.forEach(waiting -> waiting.complete(null));
            awaitingAnswers.clear();
        }
        List<HeldReceipt> early = aheadOfTheirAnswer.remove(messageId);
        if (early != null) {
            // one about several sends waits in the list of each: it goes with the last answer
            early.stream().filter(receipt -> !waitsForAnAnswer(receipt) && stands(receipt.from())).forEach(this::route);
        }
    }

    private boolean waitsForAnAnswer(HeldReceipt receipt) {
        return receipt.about().stream().anyMatch(unanswered::contains);
    }

    /** To every greeted connection, or held for the next one; the other nodes get a copy, unproven. */
    private void route(HeldReceipt receipt) {
        for (String peer : peers) {
            receipt.frames().forEach(frame -> nodes.copy(peer, userId, null, frame));
        }
        if (greeted.isEmpty()) {
            heldReceipts.add(receipt);
        } else {
            List<ChatConnection> targets = List.copyOf(greeted.keySet());
            sendReceipt(receipt, targets, targets);
        }
    }

    /**
     * Sends to {@code targets}; {@code tried} are all connections this receipt went to so far. Of
     * several frames only the last is proven: a connection writes its frames in order, so a client
     * that read the last read those before it.
     */
    private void sendReceipt(HeldReceipt receipt, List<ChatConnection> targets, List<ChatConnection> tried) {
        Proof proof = new Proof(receipt, targets, tried, clock.getAsLong());
        proving.add(proof);
        List<String> frames = receipt.frames();
        String last = frames.get(frames.size() - 1);
        for (ChatConnection connection : targets) {
            frames.subList(0, frames.size() - 1).forEach(frame -> show(frame, connection));
            Consumer<Boolean> read = answer -> lane.execute(() -> proven(proof, connection, answer));
            if (firstShowing(last, connection)) {
                connection.sendProven(last, read);
            } else {
                connection.proveShown(last, read);
            }
        }
    }

    /** Sends a receipt frame unless the connection was shown it already. */
    private void show(String receiptFrame, ChatConnection connection) {
        if (firstShowing(receiptFrame, connection)) {
            connection.send(receiptFrame);
        }
    }

    /** Whether the connection is shown this receipt frame for the first time (always, without fan-out). */
    private boolean firstShowing(String receiptFrame, ChatConnection connection) {
        if (nodes == null) {
            return true; // one node holds every delivery of the user: a receipt never comes from another
        }
        long now = clock.getAsLong();
        forgetShown(now);
        return receiptsShown.computeIfAbsent(receiptFrame, frame -> new Shown(now, new HashSet<>(2))).to().add(connection);
    }

    private void forgetShown(long now) {
        Iterator<Shown> oldestFirst = receiptsShown.values().iterator();
        while (oldestFirst.hasNext()) {
            Shown oldest = oldestFirst.next();
            if (receiptsShown.size() <= RECEIPTS_SHOWN_KEPT && now - oldest.at() <= RECEIPTS_SHOWN_FOR.toNanos()) {
                return;
            }
            oldestFirst.remove();
        }
    }

    /** When a receipt frame was first shown here, and to which connections. */
    private record Shown(long at, Set<ChatConnection> to) {
    }

    private void proven(Proof proof, ChatConnection connection, boolean read) {
        proof.unanswered.remove(connection);
        if (read && !proof.settled) {
            proof.settled = true;
            proof.receipt.from().ack(proof.receipt.deliveryTag());
            proof.receipt.frames().forEach(receiptsShown::remove); // settled here: it does not come again
        }
        if (proof.settled || proof.unanswered.isEmpty()) {
            proving.remove(proof);
        }
        if (proof.unanswered.isEmpty() && !proof.settled) {
            unread(proof.receipt, proof.tried);
        }
    }

    /** No connection read the receipt: on to those that joined since, or held for the next one. */
    private void unread(HeldReceipt receipt, List<ChatConnection> tried) {
        if (!stands(receipt.from())) {
            return; // its consumer is gone: requeued at its end (or with its channel)
        }
        List<ChatConnection> fresh = greeted.keySet().stream().filter(connection -> !tried.contains(connection)).toList();
        if (fresh.isEmpty()) {
            heldReceipts.add(receipt);
            return;
        }
        List<ChatConnection> all = new ArrayList<>(tried);
        all.addAll(fresh);
        sendReceipt(receipt, fresh, all);
    }

    /** Takes the unacked delivery with this id, or null when this user has none such. On the lane. */
    PendingDelivery takePending(String messageId) {
        assert SerialExecutor.runsOn(lane) : "not on the lane of " + userId;
        PendingDelivery taken = closed ? null : pending.remove(messageId);
        if (taken != null) {
            release(messageId);
        }
        return taken;
    }

    /** Puts back a delivery whose settlement failed, so that a later ack can settle it. On the lane. */
    void restorePending(PendingDelivery delivery) {
        assert SerialExecutor.runsOn(lane) : "not on the lane of " + userId;
        if (stands(delivery.subscription())) {
            pending.putIfAbsent(delivery.messageId(), delivery);
            released.remove(delivery.messageId());
        } // else it went back to the inbox with its consumer, and stays released
    }

    /**
     * Whether a delivery of this message left this user lately, settled by an ack (or being
     * settled) or gone back to the inbox with its consumer, to come again: an ack of it now
     * changes nothing and is not an error. On the lane.
     */
    boolean releasedLately(String messageId) {
        assert SerialExecutor.runsOn(lane) : "not on the lane of " + userId;
        forgetReleased(clock.getAsLong());
        return released.containsKey(messageId);
    }

    private void release(String messageId) {
        long now = clock.getAsLong();
        released.remove(messageId); // to the end: the order stays oldest first
        released.put(messageId, now);
        forgetReleased(now);
    }

    private void forgetReleased(long now) {
        Iterator<Map.Entry<String, Long>> oldestFirst = released.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Map.Entry<String, Long> oldest = oldestFirst.next();
            if (released.size() <= RELEASED_KEPT && now - oldest.getValue() <= RELEASED_FOR.toNanos()) {
                return;
            }
            oldestFirst.remove();
        }
    }

    /** The deliveries of {@code source} go back to the inbox with it (or went with its channel). */
    private void dropPendingOf(InboxSubscription source) {
        Iterator<PendingDelivery> deliveries = pending.values().iterator();
        while (deliveries.hasNext()) {
            PendingDelivery delivery = deliveries.next();
            if (delivery.subscription() == source) {
                deliveries.remove();
                release(delivery.messageId());
            }
        }
    }

    /**
     * Whether what {@code from} delivered is still this user's to settle: its channel is open and
     * this user is here. Not an identity check against {@link #subscription}: a consumer that is
     * starting delivers before the lane takes it as current (after a lost one, while connections
     * stay greeted), and a delivery of it that is dropped stays unacked on a live channel.
     */
    private boolean stands(InboxSubscription from) {
        return !closed && from.isOpen();
    }

    /**
     * The inbox was deleted (the user was removed, or an operator deleted it): this user's sessions
     * end with 1008, on every node. Subscribing again would create the inbox anew.
     */
    private void removed(InboxSubscription source) {
        dropPendingOf(source);
        proving.removeIf(proof -> proof.receipt.from() == source);
        heldReceipts.removeIf(receipt -> receipt.from() == source);
        aheadOfTheirAnswer.values().forEach(early -> early.removeIf(receipt -> receipt.from() == source));
        if (closed || (source != subscription && subscription != null)) {
            return;
        }
        subscription = null;
        removed = true;
        LOG.info(() -> "The inbox of " + userId + " was deleted: closing its " + members.size() + " session(s)");
        List.copyOf(members).forEach(connection -> connection.close(CloseReason.CloseCodes.VIOLATED_POLICY,
                "user removed"));
    }

    private void lost(InboxSubscription source, String reason) {
        dropPendingOf(source);
        proving.removeIf(proof -> proof.receipt.from() == source);
        heldReceipts.removeIf(receipt -> receipt.from() == source);
        aheadOfTheirAnswer.values().forEach(early -> early.removeIf(receipt -> receipt.from() == source));
        if (source != subscription) {
            return;
        }
        subscription = null;
        LOG.warning(() -> "Lost the inbox consumer of " + userId + " (" + reason + "); the server subscribes again");
        if (inboxes.brokerConnected()) {
            subscribe();
        } // else once the broker is back (BrokerConnected) or at the next heartbeat
    }

    /**
     * What another node said: it has connections of this user ({@code hello}, answered {@code here}
     * with a copy of everything held here unacked, or {@code here}), it has none left
     * ({@code bye}, or {@code gone}: a notice to it came back, its queue is gone; its copies are
     * forgotten, what it held comes again from the inbox, and a hello asks whether it is back), or
     * a copy of a delivery it holds, for the connections here that were not sent it yet.
     */
    private void noticed(NodeNotice notice) {
        if (closed || nodes == null) {
            return;
        }
        switch (notice.type()) {
            case NodeNotices.HELLO -> {
                peers.add(notice.fromNode());
                nodes.here(notice.fromNode(), userId);
                pending.values().forEach(delivery -> nodes.copy(notice.fromNode(), userId, delivery.messageId(),
                        delivery.frame()));
            }
            case NodeNotices.HERE -> peers.add(notice.fromNode());
            case NodeNotices.BYE -> forget(notice.fromNode());
            case NodeNotices.GONE -> {
                if (forget(notice.fromNode())) {
                    // its queue may only have been replaced (a new broker connection there, bound again for
                    // the user): alive, it answers this hello with here and is a peer again
                    nodes.join(userId, this);
                }
            }
            case NodeNotices.COPY -> copied(notice);
            default -> LOG.fine(() -> "Ignored a node notice of type " + LogText.of(notice.type()));
        }
    }

    /** The node is no peer any more, and its copies are forgotten; false when it was none. */
    private boolean forget(String node) {
        copies.values().removeIf(copy -> copy.holder().equals(node));
        return peers.remove(node);
    }

    private void copied(NodeNotice notice) {
        if (notice.body() == null) {
            return;
        }
        if (notice.messageId() == null) { // receipts: proven only on the holder's connections
            greeted.keySet().forEach(connection -> show(notice.body(), connection));
            return;
        }
        if (pending.containsKey(notice.messageId())) {
            return;
        }
        RemoteCopy copy = copies.get(notice.messageId());
        if (copy == null) {
            copy = new RemoteCopy(notice.fromNode(), notice.body(), new HashSet<>(), clock.getAsLong());
            copies.put(notice.messageId(), copy);
            Iterator<String> oldestFirst = copies.keySet().iterator();
            while (copies.size() > COPIES_KEPT) {
                oldestFirst.next();
                oldestFirst.remove();
            }
        }
        for (ChatConnection connection : greeted.keySet()) {
            if (copy.sentTo().add(connection)) {
                connection.send(copy.frame());
            }
        }
    }

    /**
     * An ack of a message that a connection here got as a copy: sent on to the node holding it,
     * which settles it as its own connection's ack would. True when it was such a copy. On the lane.
     */
    boolean forwardAck(String messageId) {
        assert SerialExecutor.runsOn(lane) : "not on the lane of " + userId;
        RemoteCopy copy = copies.remove(messageId);
        if (copy == null || nodes == null) {
            return false;
        }
        nodes.ack(copy.holder(), userId, messageId);
        release(messageId); // another device's ack of it here is no error
        return true;
    }

    /** A copy of a delivery {@code holder} holds, the connections here that were sent it, and when it came. */
    private record RemoteCopy(String holder, String frame, Set<ChatConnection> sentTo, long at) {
    }

    /**
     * A receipt delivery not yet settled: one receipt frame, or several that travelled together,
     * and the ids of the messages they are about.
     */
    private record HeldReceipt(List<String> frames, List<String> about, long deliveryTag, InboxSubscription from) {
    }

    /** A receipt sent to some connections, waiting for one of them to prove it read it. On the lane. */
    private static final class Proof {
        final HeldReceipt receipt;
        final List<ChatConnection> tried;
        /** The connections it was sent to that have not answered (read, or ended first). */
        final Set<ChatConnection> unanswered;
        /** When it was sent ({@link System#nanoTime()}): the ack deadline of those connections counts from then. */
        final long sentAt;
        boolean settled;

        Proof(HeldReceipt receipt, List<ChatConnection> targets, List<ChatConnection> tried, long sentAt) {
            this.receipt = receipt;
            this.unanswered = new HashSet<>(targets);
            this.tried = tried;
            this.sentAt = sentAt;
        }
    }
}
