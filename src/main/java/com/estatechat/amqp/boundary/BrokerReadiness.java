package com.estatechat.amqp.boundary;

import com.estatechat.amqp.control.BrokerConnection;
import com.estatechat.settings.ProbesWhileStarting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the broker connection is open. Readiness, not liveness: a broker outage must not
 * restart the server. A broker that blocks publishing (a resource alarm) leaves it ready, saying so:
 * every node on that broker is blocked alike, and connections still receive and ack meanwhile.
 */
@Readiness
@ApplicationScoped
public class BrokerReadiness implements HealthCheck {

    @Inject
    BrokerConnection broker;

    @Inject
    ProbesWhileStarting probes;

    @Override
    public HealthCheckResponse call() {
        return probes.answer("amqp-broker", () -> {
            boolean open = broker.isOpen();
            var response = HealthCheckResponse.named("amqp-broker").status(open);
            if (!open) {
                response.withData("reason", broker.lastFailure());
            }
            String blocked = broker.publishingBlocked();
            if (blocked != null) {
                response.withData("publishing", "blocked by the broker: " + blocked + "; sends are refused with a retry hint");
            }
            return response.build();
        });
    }
}
