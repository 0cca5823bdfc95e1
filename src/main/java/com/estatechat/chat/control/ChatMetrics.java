package com.estatechat.chat.control;

import com.estatechat.amqp.control.BrokerConnection;
import com.estatechat.chat.entity.ErrorCode;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The chat's metrics. On a server with MicroProfile Metrics (Payara) they are exported under
 * {@code /metrics?scope=application}; on one without it (WildFly 27 and later, whose MicroProfile
 * configuration has Micrometer instead) they are not kept, and the WAR deploys all the same: no
 * class of the Metrics API is touched unless the server provides it.
 */
@ApplicationScoped
public class ChatMetrics {

    private static final Logger LOG = Logger.getLogger(ChatMetrics.class.getName());
    private static final String METRICS_API = "org.eclipse.microprofile.metrics.MetricRegistry";

    /** Typed as Object so that this class names no Metrics type; see {@link MicroProfileMetrics#register}. */
    @Inject
    Instance<Object> beans;

    @Inject
    BrokerConnection broker;

    /** null when the server has no MicroProfile Metrics. */
    private MicroProfileMetrics exported;

    @PostConstruct
    void register() {
        if (metricsApiPresent()) {
            exported = MicroProfileMetrics.register(beans);
        }
        if (exported != null) {
            // 1 while the broker blocks publishing (a resource alarm): sends are refused at once meanwhile
            exported.brokerBlocked(() -> broker.publishingBlocked() == null ? 0 : 1);
        }
        if (exported == null) {
            LOG.info("This server has no MicroProfile Metrics: the chat's metrics are not exported.");
        }
    }

    private static boolean metricsApiPresent() {
        try {
            Class.forName(METRICS_API, false, ChatMetrics.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    public void sessionsOpen(Supplier<Integer> count) {
        if (exported != null) {
            exported.sessionsOpen(count);
        }
    }

    public void accepted(Duration confirmTime) {
        if (exported != null) {
            exported.accepted(confirmTime);
        }
    }

    public void delivered() {
        if (exported != null) {
            exported.delivered();
        }
    }

    /** A {@code delivered} or {@code read} receipt the sender's full inbox refused (the message itself was delivered, or read). */
    public void receiptDropped() {
        if (exported != null) {
            exported.receiptDropped();
        }
    }

    /** {@code receipts} receipts stored by the broker in one message to their sender's inbox. */
    public void receiptsStored(int receipts) {
        if (exported != null) {
            exported.receiptsStored(receipts);
        }
    }

    public void redelivered() {
        if (exported != null) {
            exported.redelivered();
        }
    }

    /** An event committed to the conversation store {@code lag} after it happened. */
    public void historyWritten(Duration lag) {
        if (exported != null) {
            exported.historyWritten(lag);
        }
    }

    /** A read of the conversation store refused at its user's limits (a REST call, a sync or a read frame). */
    public void historyReadRefused() {
        if (exported != null) {
            exported.historyReadRefused();
        }
    }

    /** A send refused because its sender's share of the recipient's inbox was taken ({@code chat.inbox.max-per-sender}). */
    public void inboxShareRefused() {
        if (exported != null) {
            exported.inboxShareRefused();
        }
    }

    public void error(ErrorCode code) {
        if (exported != null) {
            exported.error(code);
        }
    }
}
