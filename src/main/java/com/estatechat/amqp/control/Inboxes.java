package com.estatechat.amqp.control;

import com.estatechat.metrics.Meters;
import com.estatechat.settings.ChatSettings;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Opens consumers on users' inboxes, off the caller's thread (it may be a container thread), on
 * shared {@link ConsumerChannel}s: the least loaded one below {@code chat.amqp.consumers-per-channel},
 * or a new one. A broker other than RabbitMQ gets one consumer per channel, since its prefetch may
 * count per channel, where one user who does not ack would stop the others. A user's new
 * subscription starts once the user's previous one on this node has ended, on the same channel, so
 * that what the previous one left unacked comes first.
 */
@ApplicationScoped
public class Inboxes {

    @Inject
    BrokerConnection broker;

    @Inject
    InboxTopology topology;

    @Inject
    ChatSettings settings;

    @Inject
    Meters meters;

    /** The connect steps' timers, made once (none without CDI, as in unit tests). */
    private InboxSteps steps = InboxSteps.NONE;

    /**
     * Guarded by this. Each user's latest subscription on this node, until nothing of it is left on
     * its channel: a new one waits for the end of the one before. Two subscriptions of one user can
     * be asked for at once (a user's last connection closes and a new one opens: the old and the
     * new user's lane each subscribe), so looking up the one before and taking its place is one step.
     */
    Map<String, InboxSubscription> latest = new HashMap<>();

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
        Successor next = follow(userId, listener);
        InboxSubscription subscription = next.subscription();
        InboxSubscription previous = next.follows();
        ConsumerChannel carrier = subscription.carrier();
        subscription.over().whenComplete((done, failure) -> forget(userId, subscription));
        CompletableFuture<InboxSubscription> result = new CompletableFuture<>();
        long asked = System.nanoTime();
        Runnable start = () -> carrier.execute(() -> {
            carrier.steps().queued().waited(asked);
            try {
                carrier.start(subscription, settings.prefetch(), bind, unbind);
                result.complete(subscription);
            } catch (IOException | RuntimeException e) {
                subscription.gone();
                result.completeExceptionally(e instanceof BrokerUnavailable ? e
                        : new BrokerUnavailable("cannot consume the inbox of " + userId, e));
            }
        });
        if (previous != null) {
            // what the user's previous consumer left unacked goes back to the inbox when it ends, after the
            // acks in progress; consuming before that would deliver newer messages first. No timer: an ack
            // settles when its receipt is confirmed, which has no time limit once written (a broker alarm),
            // so any limit let the newer ones overtake. On the same channel, the requeue precedes the consume.
            previous.over().whenComplete((ended, failure) -> start.run());
        } else {
            start.run();
        }
        return result;
    }

    /** A user's new subscription, and the one it waits for (null: none). */
    private record Successor(InboxSubscription subscription, InboxSubscription follows) {
    }

    /**
     * Takes the place of the user's latest subscription: on its carrier while it is not over,
     * else on a carrier picked and reserved here. Calls nothing while holding the lock.
     */
    private synchronized Successor follow(String userId, InboxListener listener) {
        InboxSubscription previous = latest.get(userId);
        boolean follows = previous != null && !previous.over().isDone();
        ConsumerChannel carrier = follows ? previous.carrier() : carrier();
        if (follows) {
            carrier.reserve();
        }
        InboxSubscription subscription = new InboxSubscription(userId, carrier, listener);
        latest.put(userId, subscription);
        return new Successor(subscription, follows ? previous : null);
    }

    @PostConstruct
    void meter() {
        if (meters != null) {
            steps = InboxSteps.of(meters);
        }
    }

    /** Nothing of it is left on its channel: unless another took its place, no one waits for it. */
    private synchronized void forget(String userId, InboxSubscription subscription) {
        latest.remove(userId, subscription);
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
                    "consumer channel " + (carriers.size() + 1), steps);
            carriers.add(least);
        }
        least.reserve();
        return least;
    }
}
