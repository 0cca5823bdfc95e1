package com.estatechat.chat.control;

import com.estatechat.amqp.control.BrokerConnection;
import com.estatechat.chat.entity.ErrorCode;
import com.estatechat.metrics.Counter;
import com.estatechat.metrics.Meters;
import com.estatechat.metrics.Timer;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The chat's metrics ({@code chat.*} in docs/operations.md). A {@code new ChatMetrics()} outside
 * CDI counts nothing, which is what unit tests want.
 */
@ApplicationScoped
public class ChatMetrics {

    @Inject
    Meters meters;

    @Inject
    BrokerConnection broker;

    private Counter accepted = Counter.NONE;
    private Timer confirmLatency = Timer.NONE;
    private Counter delivered = Counter.NONE;
    private Counter redelivered = Counter.NONE;
    private Counter receiptsDropped = Counter.NONE;
    private Counter receiptsStored = Counter.NONE;
    private Counter receiptMessages = Counter.NONE;
    private Counter inboxShareRefused = Counter.NONE;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);

    @PostConstruct
    void register() {
        accepted = meters.counter("chat.messages.accepted");
        confirmLatency = meters.timer("chat.publish.confirm");
        delivered = meters.counter("chat.messages.delivered");
        redelivered = meters.counter("chat.messages.redelivered");
        receiptsDropped = meters.counter("chat.receipts.dropped");
        receiptsStored = meters.counter("chat.receipts.stored");
        receiptMessages = meters.counter("chat.receipts.messages");
        inboxShareRefused = meters.counter("chat.inbox.share.refused");
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, meters.counter("chat.errors", "code", code.wireName()));
        }
        // 1 while the broker blocks publishing (a resource alarm): sends are refused at once meanwhile
        meters.gauge("chat.broker.blocked", () -> broker.publishingBlocked() == null ? 0 : 1);
    }

    public void sessionsOpen(Supplier<Integer> count) {
        if (meters != null) {
            meters.gauge("chat.sessions.open", count);
        }
    }

    public void accepted(Duration confirmTime) {
        accepted.inc();
        confirmLatency.update(confirmTime);
    }

    public void delivered() {
        delivered.inc();
    }

    /** A {@code delivered} or {@code read} receipt the sender's full inbox refused (the message itself was delivered, or read). */
    public void receiptDropped() {
        receiptsDropped.inc();
    }

    /** {@code receipts} receipts stored by the broker in one message to their sender's inbox. */
    public void receiptsStored(int receipts) {
        receiptsStored.inc(receipts);
        receiptMessages.inc();
    }

    public void redelivered() {
        redelivered.inc();
    }

    /** A send refused because its sender's share of the recipient's inbox was taken ({@code chat.inbox.max-per-sender}). */
    public void inboxShareRefused() {
        inboxShareRefused.inc();
    }

    public void error(ErrorCode code) {
        errors.getOrDefault(code, Counter.NONE).inc();
    }
}
