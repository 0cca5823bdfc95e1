package com.estatechat.chat.control;

import com.estatechat.amqp.control.InboxListener;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.amqp.control.Inboxes;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The inboxes of a test that drives one user's lane: every subscription is {@link #started}, which the test completes. */
final class StartingInboxes extends Inboxes {

    final CompletableFuture<InboxSubscription> started = new CompletableFuture<>();

    @Override
    public CompletableFuture<InboxSubscription> subscribe(String userId, List<String> bind, List<String> unbind,
            InboxListener listener) {
        return started;
    }

    @Override
    public boolean brokerConnected() {
        return true;
    }
}
