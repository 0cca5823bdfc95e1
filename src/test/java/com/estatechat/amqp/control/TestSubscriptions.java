package com.estatechat.amqp.control;

/** Subscriptions without a channel, for unit tests of what the chat does with their deliveries. */
public final class TestSubscriptions {

    private TestSubscriptions() {
    }

    /** An open subscription of {@code userId} whose channel work is never run. */
    public static InboxSubscription unconnected(String userId, InboxListener listener) {
        return new InboxSubscription(userId, new ConsumerChannel(null, null, task -> { }, "unconnected"), listener);
    }

    /**
     * An open subscription of {@code userId} whose channel work (an ack, a requeue…) is added to
     * {@code channelWork} instead of being run: a test counts what was asked of the channel.
     */
    public static InboxSubscription recording(String userId, InboxListener listener, java.util.List<Runnable> channelWork) {
        return new InboxSubscription(userId, new ConsumerChannel(null, null, channelWork::add, "recording"), listener);
    }
}
