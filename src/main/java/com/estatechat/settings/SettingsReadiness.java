package com.estatechat.settings;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Which changed settings wait for a restart ({@code pending_restart}), in the readiness data. Always
 * UP: the server runs on the values read at start, which were valid.
 */
@Readiness
@ApplicationScoped
public class SettingsReadiness implements HealthCheck {

    @Inject
    LiveSettings settings;

    @Inject
    ProbesWhileStarting probes;

    @Override
    public HealthCheckResponse call() {
        return probes.answer("settings", () -> HealthCheckResponse.named("settings").up()
                .withData("pending_restart", String.join(", ", settings.pendingRestart()))
                .build());
    }
}
