package com.estatechat.amqp.control;

import com.estatechat.settings.ChatSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Opens consumers on users' inboxes, off the caller's thread (it may be a container thread). */
@ApplicationScoped
public class Inboxes {

    @Inject
    BrokerConnection broker;

    @Inject
    InboxTopology topology;

    @Inject
    ChatSettings settings;

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
        Executor owner = broker.newChannelOwner("inbox " + userId);
        InboxSubscription subscription = new InboxSubscription(userId, owner, listener);
        CompletableFuture<InboxSubscription> result = new CompletableFuture<>();
        owner.execute(() -> {
            try {
                subscription.open(broker, topology, settings.prefetch(), bind, unbind);
                result.complete(subscription);
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e instanceof BrokerUnavailable ? e
                        : new BrokerUnavailable("cannot consume the inbox of " + userId, e));
            }
        });
        return result;
    }
}
