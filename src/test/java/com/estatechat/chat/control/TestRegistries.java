package com.estatechat.chat.control;

import com.estatechat.chat.limits.UserBudgets;
import com.estatechat.json.JsonCodec;
import com.estatechat.amqp.control.InboxListener;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.amqp.control.Inboxes;
import com.estatechat.concurrent.Workers;
import com.estatechat.settings.LiveSettings;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@link SessionRegistry}s for unit tests of the code that registers connections. */
public final class TestRegistries {

    private TestRegistries() {
    }

    /**
     * A registry on {@code settings} whose users' inbox consumers never start (no broker): their
     * connections join and leave, and are never greeted.
     */
    public static SessionRegistry withoutBroker(LiveSettings settings) {
        SessionRegistry registry = new SessionRegistry();
        registry.inboxes = new Inboxes() {
            @Override
            public CompletableFuture<InboxSubscription> subscribe(String userId, List<String> bind, List<String> unbind,
                    InboxListener listener) {
                return new CompletableFuture<>();
            }

            @Override
            public boolean brokerConnected() {
                return false;
            }
        };
        registry.codec = new JsonCodec();
        registry.metrics = new ChatMetrics();
        registry.workers = new Workers();
        registry.settings = settings;
        registry.budgets = new UserBudgets(settings);
        return registry;
    }
}
