package com.estatechat.chat.control;

import com.estatechat.chat.entity.ErrorCode;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/** The chat's MicroProfile Metrics, under {@code /metrics?scope=application}. */
@ApplicationScoped
public class ChatMetrics {

    @Inject
    MetricRegistry registry;

    private Counter accepted;
    private Counter delivered;
    private Counter redelivered;
    private Timer confirmLatency;
    private final Map<ErrorCode, Counter> errors = new EnumMap<>(ErrorCode.class);

    @PostConstruct
    void register() {
        accepted = registry.counter("chat.messages.accepted");
        delivered = registry.counter("chat.messages.delivered");
        redelivered = registry.counter("chat.messages.redelivered");
        confirmLatency = registry.timer("chat.publish.confirm");
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, registry.counter("chat.errors", new Tag("code", code.wireName())));
        }
    }

    public void sessionsOpen(Supplier<Integer> count) {
        registry.gauge("chat.sessions.open", count);
    }

    public void accepted(Duration confirmTime) {
        accepted.inc();
        confirmLatency.update(confirmTime);
    }

    public void delivered() {
        delivered.inc();
    }

    public void redelivered() {
        redelivered.inc();
    }

    public void error(ErrorCode code) {
        errors.get(code).inc();
    }
}
