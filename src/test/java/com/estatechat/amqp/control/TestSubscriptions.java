package com.estatechat.amqp.control;

/** Subscriptions without a channel, for unit tests of what the chat does with their deliveries. */
public final class TestSubscriptions {

    private TestSubscriptions() {
    }

    /** An open subscription of {@code userId} whose channel work is never run. */
    public static InboxSubscription unconnected(String userId, InboxListener listener) {
        return new InboxSubscription(userId, new ConsumerChannel(null, null, task -> { }, "unconnected"), listener);
    }
}
