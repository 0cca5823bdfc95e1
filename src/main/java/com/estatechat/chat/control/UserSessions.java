package com.estatechat.chat.control;

import com.estatechat.amqp.control.InboxDelivery;
import com.estatechat.auth.entity.Broadcast;
import com.estatechat.auth.entity.Role;
import com.estatechat.amqp.control.InboxListener;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.amqp.control.Inboxes;
import com.estatechat.chat.entity.MessageFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connections one user has open on this node and the one consumer on that user's inbox. Every
 * delivery goes to every connection; the first ack from any of them settles it. When the last
 * connection closes, the consumer is cancelled and the broker requeues what was not acked.
 * A connection is greeted (its {@code connected} frame) once the inbox is declared, bound and
 * consumed, or the attempt failed: after {@code connected}, the user receives every message and
 * broadcast sent from then on.
 */
final class UserSessions implements InboxListener {

    private static final Logger LOG = Logger.getLogger(UserSessions.class.getName());

    static final String KIND_MESSAGE = "message";
    static final String KIND_RECEIPT = "receipt";
    static final String HEADER_CLIENT_MSG_ID = "client_msg_id";
    static final String HEADER_SENDER_ID = "sender_id";

    private final String userId;
    private final FrameCodec codec;
    private final ChatMetrics metrics;
    private final List<ChatConnection> connections = new CopyOnWriteArrayList<>();
    private final List<ChatConnection> greeted = new CopyOnWriteArrayList<>();
    private final Map<String, PendingDelivery> pending = new LinkedHashMap<>();
    /** Receipts no connection has read yet: sent to the next connection greeted. */
    private final List<HeldReceipt> heldReceipts = new ArrayList<>();
    private InboxSubscription subscription;
    private boolean subscribing;
    private boolean closed;

    UserSessions(String userId, FrameCodec codec, ChatMetrics metrics) {
        this.userId = userId;
        this.codec = codec;
        this.metrics = metrics;
    }

    /** Adds a connection, greeted now if the inbox consumer runs, else once it has started. */
    synchronized void add(ChatConnection connection) {
        connections.add(connection);
        if (subscription != null) {
            greet(connection);
        }
    }

    /**
     * Sends the {@code connected} frame, then what the other connections hold unacked, marked
     * {@code redelivered}: the user may have seen it on one of them. Runs under this object's lock,
     * as deliveries do, so that no message overtakes the greeting; sends only queue frames, they
     * never block.
     */
    private void greet(ChatConnection connection) {
        if (greeted.contains(connection)) {
            return;
        }
        connection.greet();
        pending.values().forEach(delivery -> connection.send(asRedelivered(delivery.frame())));
        greeted.add(connection);
        List<HeldReceipt> held = List.copyOf(heldReceipts);
        heldReceipts.clear();
        held.forEach(receipt -> sendReceipt(receipt, List.of(connection), List.of(connection)));
    }

    private String asRedelivered(String json) {
        return codec.toJson(codec.fromJson(json, MessageFrame.class).redelivered(true));
    }

    private synchronized void greetAll() {
        connections.forEach(this::greet);
    }

    void remove(ChatConnection connection) {
        connections.remove(connection);
        greeted.remove(connection);
    }

    boolean isEmpty() {
        return connections.isEmpty();
    }

    List<ChatConnection> connections() {
        return connections;
    }

    /** Starts the inbox consumer unless it runs or is starting; safe to call often. */
    void ensureSubscribed(Inboxes inboxes) {
        synchronized (this) {
            if (closed || subscription != null || subscribing) {
                return;
            }
            subscribing = true;
        }
        Role role = connections.isEmpty() ? null : connections.get(connections.size() - 1).identity().role();
        List<String> bind = role == null ? List.of() : Broadcast.keysFor(role);
        List<String> unbind = role == null ? List.of() : Broadcast.keysNotFor(role);
        inboxes.subscribe(userId, bind, unbind, this).whenComplete((started, failure) -> {
            boolean stale;
            synchronized (this) {
                subscribing = false;
                stale = failure == null && closed;
                if (failure == null && !closed) {
                    subscription = started;
                }
            }
            if (stale) {
                started.close();
            }
            // greet also when the broker is unreachable: the client may then send, and is told unavailable
            greetAll();
            if (failure != null) {
                LOG.warning(() -> "Cannot consume the inbox of " + userId + " yet: " + failure.getMessage()
                        + "; messages wait in the broker and the server retries");
            }
        });
    }

    /** Takes the unacked delivery with this id, or null when this user has none such. */
    synchronized PendingDelivery takePending(String messageId) {
        return pending.remove(messageId);
    }

    /** Puts back a delivery whose settlement failed, so that a later ack can settle it. */
    synchronized void restorePending(PendingDelivery delivery) {
        if (!closed && delivery.subscription() == subscription) {
            pending.putIfAbsent(delivery.messageId(), delivery);
        }
    }

    /** Cancels the consumer: the broker requeues every delivery not acked. */
    void close() {
        InboxSubscription running;
        synchronized (this) {
            closed = true;
            running = subscription;
            subscription = null;
            pending.clear();
            heldReceipts.clear(); // the broker requeues them with the channel
        }
        if (running != null) {
            running.close();
        }
    }

    @Override
    public void onDelivery(InboxSubscription from, InboxDelivery delivery) {
        synchronized (this) {
            if (closed) {
                return; // the consumer is being cancelled; the broker requeues this delivery with its channel
            }
        }
        if (KIND_RECEIPT.equals(delivery.kind())) {
            forwardReceipt(delivery, from);
        } else if (KIND_MESSAGE.equals(delivery.kind())) {
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
        String senderId = delivery.header(HEADER_SENDER_ID);
        String json;
        if (!delivery.redelivered() && messageId != null && senderId != null) {
            json = new String(delivery.body(), StandardCharsets.UTF_8);
        } else {
            MessageFrame frame;
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
        synchronized (this) {
            pending.put(messageId, new PendingDelivery(messageId, senderId,
                    delivery.header(HEADER_CLIENT_MSG_ID), json, delivery.deliveryTag(), from));
            for (ChatConnection connection : greeted) {
                connection.send(json);
            }
        }
    }

    /**
     * A receipt needs no client ack: it is settled once a connection proved it read it (see
     * {@link ReadProofs}). Until then the delivery stays unacked; when every connection it went to
     * ended first, it goes to the connections that joined meanwhile, or waits for the next one.
     * It is never requeued while the user is online: that would bring it straight back (and count
     * against a quorum queue's delivery limit).
     */
    private void forwardReceipt(InboxDelivery delivery, InboxSubscription from) {
        HeldReceipt receipt = new HeldReceipt(new String(delivery.body(), StandardCharsets.UTF_8),
                delivery.deliveryTag(), from);
        List<ChatConnection> targets;
        synchronized (this) {
            targets = List.copyOf(greeted);
            if (targets.isEmpty()) {
                heldReceipts.add(receipt);
                return;
            }
        }
        sendReceipt(receipt, targets, targets);
    }

    /** Sends to {@code targets}; {@code tried} are all connections this receipt went to so far. */
    private void sendReceipt(HeldReceipt receipt, List<ChatConnection> targets, List<ChatConnection> tried) {
        AtomicInteger outstanding = new AtomicInteger(targets.size());
        AtomicBoolean proven = new AtomicBoolean();
        for (ChatConnection connection : targets) {
            connection.sendProven(receipt.frame(), read -> {
                if (read && proven.compareAndSet(false, true)) {
                    receipt.from().ack(receipt.deliveryTag());
                }
                if (outstanding.decrementAndGet() == 0 && !proven.get()) {
                    unread(receipt, tried);
                }
            });
        }
    }

    /** No connection read the receipt: on to those that joined since, or held for the next one. */
    private void unread(HeldReceipt receipt, List<ChatConnection> tried) {
        List<ChatConnection> fresh;
        synchronized (this) {
            if (closed || receipt.from() != subscription) {
                return; // its consumer is gone: the broker requeued it with the channel
            }
            fresh = greeted.stream().filter(connection -> !tried.contains(connection)).toList();
            if (fresh.isEmpty()) {
                heldReceipts.add(receipt);
                return;
            }
        }
        List<ChatConnection> all = new ArrayList<>(tried);
        all.addAll(fresh);
        sendReceipt(receipt, fresh, all);
    }

    /** A receipt delivery not yet settled. */
    private record HeldReceipt(String frame, long deliveryTag, InboxSubscription from) {
    }

    @Override
    public void onLost(String reason) {
        synchronized (this) {
            subscription = null;
            pending.clear();
            heldReceipts.clear();
        }
        LOG.warning(() -> "Lost the inbox consumer of " + userId + " (" + reason + "); the server retries");
    }
}
