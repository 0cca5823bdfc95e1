package com.estatechat.history.boundary;

import com.estatechat.history.control.ConversationStore;
import com.estatechat.history.control.HistoryWriter;
import com.estatechat.settings.ProbesWhileStarting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * The conversation store's state, in the readiness data. Always UP: the chat delivers without the
 * store (its events wait in the history queue), and every node shares the same database, so taking
 * a node out of the load balancer would not help; the data says what is wrong ({@code store},
 * {@code reason}) and whether this node writes history ({@code writing}).
 */
@Readiness
@ApplicationScoped
public class StoreReadiness implements HealthCheck {

    @Inject
    ConversationStore store;

    @Inject
    HistoryWriter writer;

    @Inject
    ProbesWhileStarting probes;

    @Override
    public HealthCheckResponse call() {
        return probes.answer("conversation-store", () -> {
            var response = HealthCheckResponse.named("conversation-store").up()
                    .withData("store", store.describe())
                    .withData("open", store.isReady())
                    .withData("writing", writer.isConsuming());
            if (!store.isReady()) {
                response.withData("reason", String.valueOf(store.lastFailure()));
            }
            return response.build();
        });
    }
}
