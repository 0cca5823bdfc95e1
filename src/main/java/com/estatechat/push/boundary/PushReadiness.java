package com.estatechat.push.boundary;

import com.estatechat.push.control.PushDispatcher;
import com.estatechat.push.control.PushSettings;
import com.estatechat.push.control.Webhook;
import com.estatechat.settings.ProbesWhileStarting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Push's state in the readiness data. DOWN only when a webhook URL is set and the settings are
 * wrong (the operator asked for push and gets none); a webhook that fails or a broker away is UP
 * with the reason: another node would fare no better.
 */
@Readiness
@ApplicationScoped
public class PushReadiness implements HealthCheck {

    @Inject
    PushSettings settings;

    @Inject
    PushDispatcher dispatcher;

    @Inject
    Webhook webhook;

    @Inject
    ProbesWhileStarting probes;

    @Override
    public HealthCheckResponse call() {
        return probes.answer("push", () -> {
            if (settings.problem() != null) {
                return HealthCheckResponse.named("push").down().withData("reason", settings.problem()).build();
            }
            var response = HealthCheckResponse.named("push").up().withData("enabled", settings.enabled());
            if (settings.enabled()) {
                response.withData("webhook_host", settings.webhook().getHost())
                        .withData("consuming", dispatcher.isConsuming());
                if (dispatcher.lastProblem() != null) {
                    response.withData("reason", dispatcher.lastProblem());
                }
                if (webhook.lastFailure() != null) {
                    response.withData("last_call", webhook.lastFailure());
                }
            }
            return response.build();
        });
    }
}
