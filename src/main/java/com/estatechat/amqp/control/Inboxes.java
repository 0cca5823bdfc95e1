package com.estatechat.amqp.control;

import com.estatechat.settings.ChatSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Opens consumers on users' inboxes, off the caller's thread (it may be a container thread), on
 * shared {@link ConsumerChannel}s: the least loaded one below {@code chat.amqp.consumers-per-channel},
 * or a new one. A broker other than RabbitMQ gets one consumer per channel, since its prefetch may
 * count per channel, where one user who does not ack would stop the others.
 */
@ApplicationScoped
public class Inboxes {

    @Inject
    BrokerConnection broker;

    @Inject
    InboxTopology topology;

    @Inject
    ChatSettings settings;

    /** Guarded by this; only ever grows (a channel without consumers costs little and is used again). */
    private final List<ConsumerChannel> carriers = new ArrayList<>();

    /** Whether the broker can be reached now: subscribing again is worth trying. */
    public boolean brokerConnected() {
        return broker.isOpen();
    }

    /**
     * @param bind extra routing keys the inbox receives (broadcasts), {@code unbind} keys it no longer does
     * @return completes with the running subscription, or fails with {@link BrokerUnavailable}
     *         when the broker cannot be reached
     */
    public CompletableFuture<InboxSubscription> subscribe(String userId, List<String> bind, List<String> unbind,
            InboxListener listener) {
        ConsumerChannel carrier = carrier();
        InboxSubscription subscription = new InboxSubscription(userId, carrier, listener);
        CompletableFuture<InboxSubscription> result = new CompletableFuture<>();
        carrier.execute(() -> {
            try {
                carrier.start(subscription, settings.prefetch(), bind, unbind);
                result.complete(subscription);
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e instanceof BrokerUnavailable ? e
                        : new BrokerUnavailable("cannot consume the inbox of " + userId, e));
            }
        });
        return result;
    }

    /** Picks and reserves a carrier; calls nothing while holding the lock. */
    private synchronized ConsumerChannel carrier() {
        int capacity = broker.features().rabbitQueueArguments() ? settings.consumersPerChannel() : 1;
        ConsumerChannel least = null;
        for (ConsumerChannel candidate : carriers) {
            if (least == null || candidate.load() < least.load()) {
                least = candidate;
            }
        }
        if (least == null || least.load() >= capacity) {
            least = new ConsumerChannel(broker, topology, broker.newChannelOwner("consumers " + (carriers.size() + 1)),
                    "consumer channel " + (carriers.size() + 1));
            carriers.add(least);
        }
        least.reserve();
        return least;
    }
}
