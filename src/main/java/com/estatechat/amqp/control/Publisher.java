package com.estatechat.amqp.control;

import com.estatechat.settings.ChatSettings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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

    private final List<PublisherLane> lanes = new ArrayList<>();

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
        return lanes.get(Math.floorMod(orderKey, lanes.size())).publish(message);
    }

    @PreDestroy
    void close() {
        lanes.forEach(PublisherLane::close);
    }
}
