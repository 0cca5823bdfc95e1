package com.estatechat.amqp.control;

import com.estatechat.concurrent.Workers;
import com.estatechat.settings.ChatSettings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes persistent messages to users' inboxes with asynchronous publisher confirms, over a
 * few lanes (each a channel with its own thread). A caller passes the same key for messages whose
 * order matters (one WebSocket connection) and they travel in one lane, in order.
 */
@ApplicationScoped
public class Publisher {

    @Inject
    BrokerConnection broker;

    @Inject
    InboxTopology topology;

    @Inject
    ChatSettings settings;

    /** Read once per publish, replaced whole: a publish racing close() sees the lanes or none, never a list emptied under it. */
    volatile List<PublisherLane> lanes = List.of();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Refuses what waited unwritten too long, for every lane; never runs a lane's work. */
    private ScheduledExecutorService timer;

    @PostConstruct
    void open() {
        timer = Executors.newSingleThreadScheduledExecutor(Workers.daemonThreads("chat-publisher-timer"));
        List<PublisherLane> opened = new ArrayList<>();
        for (int i = 0; i < settings.publisherChannels(); i++) {
            opened.add(new PublisherLane("chat-publisher-" + i, broker, topology, settings::exchange,
                    settings.confirmTimeout(), timer));
        }
        lanes = List.copyOf(opened);
        // blocked: what waits unwritten is refused at once; unblocked: what came meanwhile goes out
        broker.onPublishingBlockedChange(() -> lanes.forEach(PublisherLane::wake));
    }

    /**
     * @return completes when the broker has stored the message; fails with {@link PublishRefused}
     *         when it refused it, {@link UnknownRecipient} when no inbox takes it,
     *         {@link PublishingPaused} at once when it was not written because the broker blocks
     *         publishing or too many messages wait, and {@link BrokerUnavailable} when it was not
     *         written in time or the broker connection was lost before its confirm
     */
    public CompletableFuture<Void> publish(int orderKey, OutgoingMessage message) {
        List<PublisherLane> open = lanes;
        if (open.isEmpty()) {
            return CompletableFuture.failedFuture(new BrokerUnavailable("the server is shutting down"));
        }
        return open.get(Math.floorMod(orderKey, open.size())).publish(message);
    }

    /** The broker is back: what a lost channel left unconfirmed is written again (on the connector thread: only hands over). */
    void onConnected(@Observes BrokerConnected connected) {
        lanes.forEach(PublisherLane::wake);
    }

    /**
     * Drains the lanes while the broker connection is still open: after the sessions have closed
     * ({@code SessionRegistry} observes the same event first) and before {@link BrokerConnection}
     * closes its connections in its {@code @PreDestroy}, whose order among beans is undefined.
     */
    void drain(@Observes @Priority(Interceptor.Priority.APPLICATION + 100) @BeforeDestroyed(ApplicationScoped.class)
            Object applicationStopping) {
        close();
    }

    /** Once, whichever of the drain and {@code @PreDestroy} comes first; no lock is held while the lanes drain. */
    @PreDestroy
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<PublisherLane> closing = lanes;
        lanes = List.of();
        closing.forEach(PublisherLane::close);
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
