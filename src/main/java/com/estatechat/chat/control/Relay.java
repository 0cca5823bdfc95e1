package com.estatechat.chat.control;

import com.estatechat.chat.limits.FrameRateLimit;
import com.estatechat.history.control.MessageIds;
import com.estatechat.json.JsonCodec;
import com.estatechat.amqp.control.BrokerUnavailable;
import com.estatechat.amqp.control.OutgoingMessage;
import com.estatechat.amqp.control.PublishRefused;
import com.estatechat.amqp.control.Publisher;
import com.estatechat.amqp.control.PublishingPaused;
import com.estatechat.amqp.control.UnknownRecipient;
import com.estatechat.auth.control.Admission;
import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.auth.control.Permissions;
import com.estatechat.identity.Broadcast;
import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.identity.Identity;
import com.estatechat.chat.entity.AuthOkFrame;
import com.estatechat.chat.entity.ChatCommand;
import com.estatechat.chat.entity.ErrorCode;
import com.estatechat.chat.entity.FrameRejected;
import com.estatechat.chat.entity.MessageFrame;
import com.estatechat.chat.entity.ReceiptFrame;
import com.estatechat.chat.entity.SyncDoneFrame;
import com.estatechat.chat.entity.SyncedFrame;
import com.estatechat.history.entity.StoredMessage;
import com.estatechat.history.control.ConversationQueries;
import com.estatechat.history.control.HistoryFeed;
import com.estatechat.history.control.HistorySettings;
import com.estatechat.history.control.StoreReads;
import com.estatechat.history.control.TooManyReads;
import com.estatechat.history.entity.HistoryEvent;
import com.estatechat.logging.LogText;
import com.estatechat.settings.ChatSettings;
import com.estatechat.settings.LiveSettings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What happens to a client's frame: a message is published to the target's inbox and the sender
 * gets {@code queued} once the broker confirms it; an ack settles the delivery and sends the
 * {@code delivered} receipt through the sender's inbox; an {@code auth} frame renews the
 * connection's token in place. Nothing here blocks: every broker step completes asynchronously.
 */
@ApplicationScoped
public class Relay {

    private static final Logger LOG = Logger.getLogger(Relay.class.getName());

    @Inject
    Publisher publisher;

    @Inject
    ReceiptCoalescer receipts;

    @Inject
    JsonCodec codec;

    @Inject
    MessageIds ids;

    @Inject
    ChatMetrics metrics;

    @Inject
    ChatSettings settings;

    @Inject
    LiveSettings live;

    @Inject
    Permissions permissions;

    @Inject
    IdentityResolver identities;

    @Inject
    Heartbeat heartbeat;

    @Inject
    HistoryFeed history;

    @Inject
    StoreReads store;

    @Inject
    HistorySettings historySettings;

    FrameParser parser;

    /**
     * Set when the application stops: a send is refused {@code unavailable} at once, with this hint
     * of when to send it again (see {@link #refuseSends}); null until then.
     */
    private volatile Duration refusingSends;

    @PostConstruct
    void createParser() {
        parser = new FrameParser(codec, () -> live.current().maxMessageChars());
    }

    /**
     * Handles one text frame from a connection. A failure here is a bug of the server, never the
     * client's: the container would only log it at FINE in {@code @OnError} and leave the client
     * waiting for an answer, so it is logged as a warning and the connection closes with 1011.
     */
    public void onText(ChatConnection connection, String text) {
        onFrame(connection, text);
    }

    /**
     * {@link #onText}, for a transport that acknowledges the client's frames itself (MQTT's PUBACK):
     * the stage completes, on the user's lane, once the frame was answered: a message once the
     * broker confirmed it and {@code queued} was queued to the connection, or once its
     * {@code error} was; any other frame once it was handed over.
     */
    public CompletionStage<Void> onFrame(ChatConnection connection, String text) {
        connection.touch();
        try {
            return handle(connection, text);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, e, () -> "Closing the connection of " + connection.userId() + " (session "
                    + connection.id() + "): a frame of " + text.length() + " characters could not be handled");
            connection.close(CloseReason.CloseCodes.UNEXPECTED_CONDITION, "internal error");
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * The client acknowledged the delivery of {@code messageId} by its transport (MQTT's PUBACK):
     * settled as an {@code ack} frame is, except that an acknowledgement that settles nothing (the
     * user's other connection settled it first, or it was a {@code synced} copy) is no error.
     */
    public void acknowledged(ChatConnection connection, String messageId) {
        OnlineUser user = connection.user();
        user.lane().execute(() -> settle(user, connection, new ChatCommand.Ack(messageId), true));
    }

    /**
     * A device on another node acked a copy of a delivery this node holds for {@code user}: settled
     * as a local ack, quietly (an ack that settles nothing was settled first by another device).
     * {@code handled} runs once the lane has taken it (its receipt is then the publisher's).
     */
    void acknowledgedElsewhere(OnlineUser user, String messageId, Runnable handled) {
        user.lane().execute(() -> {
            try {
                settle(user, null, new ChatCommand.Ack(messageId), true);
            } finally {
                handled.run();
            }
        });
    }

    private CompletionStage<Void> handle(ChatConnection connection, String text) {
        ChatCommand command;
        try {
            command = parser.parse(text, connection.identity());
        } catch (FrameRejected rejected) {
            if (connection.tryAcquire()) {
                refuse(connection, rejected);
            } else {
                rateLimited(connection, null);
            }
            return CompletableFuture.completedFuture(null);
        }
        if (command instanceof ChatCommand.Send send) {
            if (connection.tryAcquire()) {
                return send(connection, send);
            }
            rateLimited(connection, send.clientMsgId());
        } else if (command instanceof ChatCommand.Ack ack) {
            settle(connection, ack);
        } else if (command instanceof ChatCommand.Read read) {
            if (connection.tryAcquire()) {
                read(connection, read);
            } else {
                rateLimited(connection, null);
            }
        } else if (command instanceof ChatCommand.Sync sync) {
            if (connection.tryAcquire()) {
                sync(connection, sync);
            } else {
                rateLimited(connection, null);
            }
        } else if (command instanceof ChatCommand.Renew renew) {
            if (connection.tryAcquire()) {
                renew(connection, renew);
            } else {
                rateLimited(connection, null);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Tells the client to slow down; one that goes on regardless is closed (see {@link FrameRateLimit}). */
    private void rateLimited(ChatConnection connection, String clientMsgId) {
        if (connection.user().rateLimit().mayWarn()) {
            refuse(connection, new FrameRejected(ErrorCode.RATE_LIMITED, "too many frames; slow down", clientMsgId,
                    null));
            return;
        }
        LOG.info(() -> "Closing the connection of " + connection.userId() + " (session " + connection.id()
                + "): it went on sending after being told to slow down");
        metrics.error(ErrorCode.RATE_LIMITED);
        connection.close(CloseReason.CloseCodes.VIOLATED_POLICY, "too many frames");
    }

    private CompletionStage<Void> send(ChatConnection connection, ChatCommand.Send send) {
        Optional<String> forbidden = permissions.refusal(connection.identity(), send.targetId());
        if (forbidden.isPresent()) {
            refuse(connection, new FrameRejected(ErrorCode.FORBIDDEN, forbidden.get(), send.clientMsgId(), null));
            return CompletableFuture.completedFuture(null);
        }
        OnlineUser user = connection.user();
        String targetId = send.targetId();
        int share = settings.inboxMaxPerSender();
        // a broadcast is an admin's, one message for many inboxes: not counted
        boolean counted = share > 0 && !Broadcast.isBroadcast(targetId);
        if (counted && !user.inboxShares().take(targetId, share, System.nanoTime())) {
            metrics.inboxShareRefused();
            refuse(connection, new FrameRejected(ErrorCode.INBOX_FULL, share + " of your messages wait in the"
                    + " recipient's inbox already; the message was not accepted, send it once the recipient has"
                    + " received some", send.clientMsgId(), null));
            return CompletableFuture.completedFuture(null);
        }
        String messageId = ids.next();
        MessageFrame frame = MessageFrame.of(messageId, connection.userId(),
                connection.identity().role().wireName(), send.targetId(), send.message(), Instant.now().toString());
        OutgoingMessage message = InboxMessages.message(messageId, connection.userId(), send.clientMsgId(),
                send.targetId(), codec.toJson(frame), Broadcast.isBroadcast(send.targetId()));
        long start = System.nanoTime();
        user.sending(messageId);
        // read after sending(): the shutdown's wait for the answers sees this send, or this send sees the shutdown
        Duration refusing = refusingSends;
        CompletableFuture<Void> stored = refusing != null
                ? CompletableFuture.failedFuture(new PublishingPaused("the server is shutting down", refusing))
                : publisher.publish(connection.orderKey(), message);
        // the answer goes out on the user's lane: never on the publisher's thread, and in order
        return stored.handleAsync((done, failure) -> {
            try {
                if (failure != null && counted) {
                    user.inboxShares().giveBack(targetId); // not in the inbox: the place is free
                }
                answer(connection, send, frame, start, failure);
            } finally {
                user.answered(messageId); // the receipts of it that came before the answer follow it
            }
            return null;
        }, user.lane());
    }

    /**
     * From now on a send is refused {@code unavailable}, not published: the shutdown waits for the
     * answers of the sends taken before, and a send that kept coming would keep it waiting. The
     * refusal carries {@code retryAfter} as {@code retry_after_ms}: the message was not stored, and a
     * client sends it again then (on its next connection), as during a broker alarm.
     */
    void refuseSends(Duration retryAfter) {
        refusingSends = retryAfter;
    }

    /** Tells the sender {@code queued}, or why the message was not accepted. On the user's lane. */
    private void answer(ChatConnection connection, ChatCommand.Send send, MessageFrame frame, long start,
            Throwable failure) {
        String messageId = frame.messageId();
        if (failure == null) {
            metrics.accepted(Duration.ofNanos(System.nanoTime() - start));
            connection.send(codec.toJson(ReceiptFrame.of(messageId, ReceiptFrame.QUEUED, send.targetId(),
                    send.clientMsgId(), Instant.now().toString())));
            record(HistoryEvent.message(messageId, frame.senderId(), frame.senderRole(),
                    frame.targetId(), frame.message(), send.clientMsgId(), frame.sentAt()));
        } else {
            ErrorCode code = codeFor(failure);
            LOG.log(Level.FINE, failure, () -> "Message from " + connection.userId() + " to " + send.targetId()
                    + " not accepted: " + code.wireName());
            Long retryAfterMs = retryAfterMs(failure);
            refuse(connection, new FrameRejected(code, retryAfterMs == null ? explain(code)
                    : "the message service is busy; the message was not accepted, retry after retry_after_ms",
                    send.clientMsgId(), null, retryAfterMs));
        }
    }

    /**
     * An {@code auth} frame: the token is verified as a handshake's would be, and must name the
     * connection's user and role; then the connection ends at the new token's expiry instead of the
     * old one's, and the client gets {@code auth_ok}. A token that is refused closes the connection
     * with 1008 (a client that sends a bad token must not keep the session the old one opened); in
     * a mode without tokens the frame is refused with {@code bad_frame} and the connection stays.
     */
    private void renew(ChatConnection connection, ChatCommand.Renew renew) {
        Identity current = connection.identity();
        Admission admission = identities.renew(current, renew.accessToken());
        if (!admission.admitted()) {
            HandshakeRefusal refusal = admission.refusal();
            if (refusal.status() == 400) {
                refuse(connection, new FrameRejected(ErrorCode.BAD_FRAME, refusal.reason()));
            } else {
                endRenewal(connection, refusal.status() == 403 ? "token is for another user or role" : "token not valid",
                        refusal.reason());
            }
            return;
        }
        Identity renewed = admission.identity();
        if (!renewed.userId().equals(current.userId())) {
            endRenewal(connection, "token is for another user", "the token's sub is " + renewed.userId());
            return;
        }
        if (renewed.role() != current.role()) {
            // the inbox is bound by role at connect time: a new role needs a new connection
            endRenewal(connection, "token changes the role; connect again", "the token's role is "
                    + renewed.role().wireName() + ", the session's " + current.role().wireName());
            return;
        }
        connection.renew(renewed);
        heartbeat.closeAtExpiry(connection);
        connection.send(codec.toJson(AuthOkFrame.of(
                renewed.expiresAt() == null ? null : renewed.expiresAt().toString())));
        LOG.fine(() -> "Renewed the token of " + connection.userId() + " (session " + connection.id() + ") until "
                + renewed.expiresAt());
    }

    /** The close reason goes to the client (at most 123 bytes); why, only to the log, at FINE. */
    private void endRenewal(ChatConnection connection, String closeReason, String why) {
        LOG.info(() -> "Closing the connection of " + connection.userId() + " (session " + connection.id()
                + "): its renewal was refused, " + closeReason);
        LOG.fine(() -> "Renewal of " + connection.userId() + " (session " + connection.id() + ") refused: "
                + LogText.of(why));
        connection.close(CloseReason.CloseCodes.VIOLATED_POLICY, closeReason);
    }

    /** An ack: settled on the user's lane, which holds the user's unacked deliveries. */
    private void settle(ChatConnection connection, ChatCommand.Ack ack) {
        OnlineUser user = connection.user();
        user.lane().execute(() -> settle(user, connection, ack, false));
    }

    /**
     * Publishes the {@code delivered} receipt to the sender's inbox, then acks the delivery. When
     * the sender's inbox is full (or gone: the sender was removed) the message was delivered all the
     * same: it is acked, and the receipt the sender does not read anyway is dropped and counted. When the broker is
     * unavailable the delivery stays pending and the client is told to send the ack again.
     */
    private void settle(OnlineUser user, ChatConnection connection, ChatCommand.Ack ack, boolean quiet) {
        PendingDelivery taken = user.takePending(ack.messageId());
        if (taken == null && connection != null && user.forwardAck(ack.messageId())) {
            return; // a copy: the node holding the delivery settles it
        }
        if (taken == null && quiet) {
            return;
        }
        if (taken == null) {
            if (!user.rateLimit().tryAcquire()) { // an ack that settles nothing counts as a refused frame
                rateLimited(connection, null);
                return;
            }
            if (user.releasedLately(ack.messageId())) {
                return; // settled by an earlier ack, or back in the inbox: it comes again and that delivery is acked
            }
            refuse(connection, new FrameRejected(ErrorCode.UNKNOWN_MESSAGE,
                    "no unacknowledged message with this id is waiting for you", null, ack.messageId()));
            return;
        }
        // decoded once: an ack sent again after a failure settles the delivery restored with its fields
        PendingDelivery delivery = taken.withDecodedFrame(codec);
        // the receipt names who received it: for a broadcast, each recipient sends its own
        String recipientId = user.userId(); // connection is null for an ack forwarded by another node
        ReceiptFrame receipt = ReceiptFrame.of(delivery.messageId(), ReceiptFrame.DELIVERED, recipientId,
                delivery.clientMsgId(), Instant.now().toString());
        // the delivery is acked only once the receipt (or its refusal by a full inbox) and the history event are safe
        delivery.subscription().hold();
        CompletableFuture<Void> receiptSent = receipts.send(delivery.senderId(), codec.toJson(receipt),
                delivery.messageId());
        CompletableFuture<Void> recorded = history.record(
                deliveredEvent(delivery, recipientId, receipt.at()));
        receiptSent.handle((stored, failure) -> failure)
                .thenCombine(recorded.handle((stored, failure) -> failure), AckOutcome::new)
                .whenCompleteAsync((outcome, ignored) -> {
            try {
                if (stands(outcome, "delivered", delivery.messageId(), delivery.senderId())) {
                    delivery.subscription().ack(delivery.deliveryTag());
                    metrics.delivered();
                } else {
                    LOG.log(Level.FINE, outcome.historyFailure() != null ? outcome.historyFailure()
                            : outcome.receiptFailure(),
                            () -> "The ack of " + delivery.messageId() + " by " + recipientId + " was not recorded");
                    user.restorePending(delivery);
                    if (connection == null) {
                        return; // forwarded: the holder's own connections ack it, or it comes again
                    }
                    refuse(connection, new FrameRejected(ErrorCode.UNAVAILABLE,
                            "the ack was not recorded; send it again later", null, delivery.messageId(),
                            retryAfterMs(outcome.receiptFailure())));
                }
            } finally {
                delivery.subscription().release();
            }
        }, user.lane());
    }

    /** What became of an ack's (or a read's) two publishes: null where it was stored. */
    private record AckOutcome(Throwable receiptFailure, Throwable historyFailure) {
    }

    /**
     * Whether an ack or a read stands: its history event was stored, and its receipt too, or the
     * receipt was refused by a sender's inbox that is full or gone (sending again could not help:
     * it is dropped and counted). Otherwise the client is told to send it again.
     */
    private boolean stands(AckOutcome outcome, String status, String messageId, String senderId) {
        if (outcome.historyFailure() != null) {
            return false;
        }
        if (outcome.receiptFailure() == null) {
            return true;
        }
        ErrorCode code = codeFor(outcome.receiptFailure());
        if (code != ErrorCode.INBOX_FULL && code != ErrorCode.UNKNOWN_USER) {
            return false;
        }
        metrics.receiptDropped();
        LOG.info(() -> "The " + status + " receipt of " + messageId + " for " + senderId
                + " was dropped: that inbox is " + (code == ErrorCode.INBOX_FULL ? "full" : "gone"));
        return true;
    }

    /** The store's record of a delivery: with the message itself, in case its own event never came. */
    private static HistoryEvent deliveredEvent(PendingDelivery delivery, String recipientId, String at) {
        MessageFrame frame = delivery.decodedFrame();
        return HistoryEvent.delivered(recipientId, at, frame.messageId(), frame.senderId(),
                frame.senderRole(), frame.targetId(), frame.message(), delivery.clientMsgId(), frame.sentAt());
    }

    /**
     * A {@code read} frame: the store says who sent that message to this user (read on the store's
     * threads), then the sender gets a {@code read} receipt through its inbox and the store records
     * the read of every earlier message from that sender. Nothing is answered when it worked.
     */
    private void read(ChatConnection connection, ChatCommand.Read read) {
        String readerId = connection.userId();
        OnlineUser user = connection.user();
        store.read(readerId, ConversationQueries.senderOf(read.messageId(), readerId)).whenCompleteAsync((sender, failure) -> {
            if (failure != null && cause(failure) instanceof TooManyReads refused) {
                refuse(connection, new FrameRejected(ErrorCode.RATE_LIMITED,
                        "too many reads of the conversation store; send it again after retry_after_ms", null,
                        read.messageId(), refused.retryAfter().toMillis()));
            } else if (failure != null) {
                LOG.log(Level.FINE, failure, () -> "Read of " + read.messageId() + " by " + readerId + " not recorded");
                refuse(connection, new FrameRejected(ErrorCode.UNAVAILABLE,
                        "the read was not recorded; send it again later", null, read.messageId()));
            } else if (sender.isEmpty()) {
                refuse(connection, new FrameRejected(ErrorCode.UNKNOWN_MESSAGE,
                        "no message with this id was delivered to you (a message just received may take a moment to be"
                                + " recorded)", null, read.messageId()));
            } else {
                markRead(connection, user, sender.get(), read.messageId());
            }
        }, user.lane());
    }

    /**
     * Records the read and sends its receipt; the reader is told {@code unavailable} when either
     * did not reach the broker, and sends the read again (both are idempotent): the receipt is
     * promised at least once, and no answer means both went. A receipt the sender's inbox refuses
     * (full, or the sender removed) is dropped, as a {@code delivered} one is: sending again cannot help.
     */
    private void markRead(ChatConnection connection, OnlineUser user, String senderId, String messageId) {
        String at = Instant.now().toString();
        ReceiptFrame receipt = ReceiptFrame.of(messageId, ReceiptFrame.READ, connection.userId(), null, at);
        CompletableFuture<Void> recorded = history.record(
                HistoryEvent.read(connection.userId(), senderId, messageId, at));
        CompletableFuture<Void> told = receipts.send(senderId, codec.toJson(receipt), messageId);
        told.handle((stored, failure) -> failure)
                .thenCombine(recorded.handle((stored, failure) -> failure), AckOutcome::new)
                .whenCompleteAsync((outcome, ignored) -> {
            if (stands(outcome, "read", messageId, senderId)) {
                return;
            }
            LOG.log(Level.FINE, outcome.historyFailure() != null ? outcome.historyFailure() : outcome.receiptFailure(),
                    () -> "Read of " + messageId + " by " + connection.userId() + " not recorded");
            refuse(connection, new FrameRejected(ErrorCode.UNAVAILABLE,
                    "the read was not recorded; send it again later", null, messageId,
                    retryAfterMs(outcome.receiptFailure())));
        }, user.lane());
    }

    /**
     * A {@code sync} frame: this device says which message it has last, and gets from the store
     * what the user received or sent after it, oldest first, each marked {@code synced} (not to be
     * acked: another device may have acked it, and an unacked one also comes live), then a
     * {@code synced} frame that says whether more is left.
     */
    private void sync(ChatConnection connection, ChatCommand.Sync sync) {
        int limit = historySettings.syncLimit();
        OnlineUser user = connection.user();
        store.read(connection.userId(), ConversationQueries.after(connection.userId(), sync.since(), limit + 1))
                .whenCompleteAsync((found, failure) -> {
            if (failure != null && cause(failure) instanceof TooManyReads refused) {
                refuse(connection, new FrameRejected(ErrorCode.RATE_LIMITED,
                        "too many reads of the conversation store; sync again after retry_after_ms", null, null,
                        refused.retryAfter().toMillis()));
                return;
            }
            if (failure != null) {
                LOG.log(Level.FINE, failure, () -> "Sync of " + connection.userId() + " failed");
                refuse(connection, new FrameRejected(ErrorCode.UNAVAILABLE,
                        "the conversation store is unavailable; sync again later", null, null));
                return;
            }
            List<StoredMessage> messages = found.subList(0, Math.min(limit, found.size()));
            for (StoredMessage stored : messages) {
                connection.send(codec.toJson(SyncedFrame.of(stored.messageId(), stored.senderId(),
                        stored.senderRole(), stored.targetId(), stored.body(), stored.sentAt().toInstant().toString(),
                        stored.senderId().equals(connection.userId()) ? stored.clientMsgId() : null,
                        stored.status().wireName())));
            }
            connection.send(codec.toJson(SyncDoneFrame.of(messages.size(),
                    messages.isEmpty() ? null : messages.get(messages.size() - 1).messageId(), found.size() > limit)));
        }, user.lane());
    }

    /** Hands an accepted message to the conversation store; a failure is logged (its delivery records it again). */
    private void record(HistoryEvent event) {
        history.record(event).whenComplete((stored, failure) -> {
            if (failure != null) {
                LOG.warning(() -> "The history event of " + event.messageId() + " was not stored by the broker ("
                        + failure + "); the store records the message when it is delivered");
            }
        });
    }

    /** The hint of a refusal made at once because the broker takes nothing now, else null. */
    private static Long retryAfterMs(Throwable failure) {
        return failure != null && cause(failure) instanceof PublishingPaused paused
                ? paused.retryAfter().toMillis() : null;
    }

    private static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private ErrorCode codeFor(Throwable failure) {
        Throwable cause = cause(failure);
        if (cause instanceof PublishRefused && settings.inboxMaxLength() > 0) {
            return ErrorCode.INBOX_FULL;
        }
        if (cause instanceof UnknownRecipient) {
            return ErrorCode.UNKNOWN_USER;
        }
        return ErrorCode.UNAVAILABLE;
    }

    private static String explain(ErrorCode code) {
        return switch (code) {
            case INBOX_FULL -> "the recipient's inbox is full; the message was not accepted";
            case UNKNOWN_USER -> "no such user; the message was not accepted";
            default -> "the message service is unavailable; the message was not accepted, retry later";
        };
    }

    /** Sends an error frame; the connection stays open. */
    public void refuse(ChatConnection connection, FrameRejected refusal) {
        metrics.error(refusal.code());
        connection.send(codec.toJson(refusal.toFrame()));
    }
}
