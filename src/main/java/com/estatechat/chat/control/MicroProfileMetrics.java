package com.estatechat.chat.control;

import com.estatechat.chat.entity.ErrorCode;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * The chat's metrics in the application registry of MicroProfile Metrics. The only class that
 * names the Metrics API: {@link ChatMetrics} loads it only on a server that provides the API.
 * Not a CDI bean (no bean-defining annotation), so that bean discovery never loads it either.
 */
final class MicroProfileMetrics {

    private final MetricRegistry registry;
    private final Counter accepted;
    private final Counter delivered;
    private final Counter redelivered;
    private final Counter receiptsDropped;
    private final Counter receiptsStored;
    private final Counter receiptMessages;
    private final Timer confirmLatency;
    private final Counter historyWritten;
    private final Timer historyLag;
    private final Counter historyReadsRefused;
    private final Counter inboxShareRefused;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);

    private MicroProfileMetrics(MetricRegistry registry) {
        this.registry = registry;
        accepted = registry.counter("chat.messages.accepted");
        delivered = registry.counter("chat.messages.delivered");
        redelivered = registry.counter("chat.messages.redelivered");
        receiptsDropped = registry.counter("chat.receipts.dropped");
        receiptsStored = registry.counter("chat.receipts.stored");
        receiptMessages = registry.counter("chat.receipts.messages");
        confirmLatency = registry.timer("chat.publish.confirm");
        historyWritten = registry.counter("chat.history.written");
        historyLag = registry.timer("chat.history.lag");
        historyReadsRefused = registry.counter("chat.history.reads.refused");
        inboxShareRefused = registry.counter("chat.inbox.share.refused");
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, registry.counter("chat.errors", new Tag("code", code.wireName())));
        }
    }

    /**
     * The metrics in the application registry, or null when the server offers the API but no
     * registry. The registry comes through an injected {@link Instance}: Payara's producer reads
     * the injection point's annotations, which {@code CDI.current()} does not have.
     */
    static MicroProfileMetrics register(Instance<Object> beans) {
        Instance<MetricRegistry> registries = beans.select(MetricRegistry.class);
        return registries.isResolvable() ? new MicroProfileMetrics(registries.get()) : null;
    }

    void sessionsOpen(Supplier<Integer> count) {
        registry.gauge("chat.sessions.open", count);
    }

    void brokerBlocked(Supplier<Integer> blocked) {
        registry.gauge("chat.broker.blocked", blocked);
    }

    void accepted(Duration confirmTime) {
        accepted.inc();
        confirmLatency.update(confirmTime);
    }

    void delivered() {
        delivered.inc();
    }

    void receiptDropped() {
        receiptsDropped.inc();
    }

    void receiptsStored(int receipts) {
        receiptsStored.inc(receipts);
        receiptMessages.inc();
    }

    void redelivered() {
        redelivered.inc();
    }

    void historyWritten(Duration lag) {
        historyWritten.inc();
        historyLag.update(lag);
    }

    void historyReadRefused() {
        historyReadsRefused.inc();
    }

    void inboxShareRefused() {
        inboxShareRefused.inc();
    }

    void error(ErrorCode code) {
        errors.get(code).inc();
    }
}
