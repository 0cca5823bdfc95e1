package com.estatechat.amqp.control;

import com.estatechat.settings.ChatSettings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

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

    private final List<PublisherLane> lanes = new CopyOnWriteArrayList<>();

    @PostConstruct
    void open() {
        for (int i = 0; i < settings.publisherChannels(); i++) {
            lanes.add(new PublisherLane("chat-publisher-" + i, broker, topology, settings::exchange,
                    settings.confirmTimeout()));
        }
    }

    /**
     * @return completes when the broker has stored the message; fails with {@link PublishRefused}
     *         when it refused it, {@link BrokerUnavailable} when it is unreachable, or a
     *         {@link java.util.concurrent.TimeoutException} when no confirm came in time
     */
    public CompletableFuture<Void> publish(int orderKey, OutgoingMessage message) {
        List<PublisherLane> open = lanes;
        if (open.isEmpty()) {
            return CompletableFuture.failedFuture(new BrokerUnavailable("the server is shutting down"));
        }
        return open.get(Math.floorMod(orderKey, open.size())).publish(message);
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

    @PreDestroy
    synchronized void close() {
        lanes.forEach(PublisherLane::close);
        lanes.clear();
    }
}
