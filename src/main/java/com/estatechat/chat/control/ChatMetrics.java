package com.estatechat.chat.control;

import com.estatechat.amqp.control.BrokerConnection;
import com.estatechat.chat.entity.ErrorCode;
import com.estatechat.metrics.Counter;
import com.estatechat.metrics.Meters;
import com.estatechat.metrics.StepMeter;
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
    private StepMeter handshake = StepMeter.NONE;
    private StepMeter auth = StepMeter.NONE;
    private StepMeter open = StepMeter.NONE;
    private StepMeter greet = StepMeter.NONE;

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
        // a connect's steps (bench/run.sh's storm splits its time and CPU by them)
        handshake = meters.step("chat.connect.handshake");
        auth = meters.step("chat.connect.auth");
        open = meters.step("chat.connect.open");
        greet = meters.step("chat.connect.greet");
        // 1 while the broker blocks publishing (a resource alarm): sends are refused at once meanwhile
        meters.gauge("chat.broker.blocked", () -> broker.publishingBlocked() == null ? 0 : 1);
    }

    /** The handshake's servlet filter, the upgrade included: the identity check, Tyrus's upgrade. */
    public StepMeter handshake() {
        return handshake;
    }

    /** Resolving the handshake's identity (token, origin), each time it is done. */
    public StepMeter auth() {
        return auth;
    }

    /** The endpoint's {@code @OnOpen}: the connection made and registered. */
    public StepMeter open() {
        return open;
    }

    /** On the user's lane: the {@code connected} frame and what the user holds, queued. */
    public StepMeter greet() {
        return greet;
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
