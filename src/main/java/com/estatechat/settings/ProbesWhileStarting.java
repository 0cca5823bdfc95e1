package com.estatechat.settings;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Answers the readiness probes that come while the application deploys. Payara runs an
 * application's health checks from the moment it registers them, before the application has
 * started; such a probe finds the configuration not in place, and the first use of a settings
 * bean throws. Until the start is over, a check that throws is answered DOWN with the reason
 * {@code starting} (the server is not ready, and the log gets no stack trace per probe); after it,
 * a check's exception is its own and goes on.
 */
@ApplicationScoped
public class ProbesWhileStarting {

    private volatile boolean started;

    /** After every other start observer (the store's, the broker's): the application is in place. */
    void started(@Observes @Priority(Interceptor.Priority.PLATFORM_AFTER) @Initialized(ApplicationScoped.class)
            Object applicationStarted) {
        started = true;
    }

    /** {@code check}'s response, or DOWN {@code starting} when it throws before the application started. */
    public HealthCheckResponse answer(String name, Supplier<HealthCheckResponse> check) {
        try {
            return check.get();
        } catch (RuntimeException e) {
            if (started) {
                throw e;
            }
            return new HealthCheckResponse(name, HealthCheckResponse.Status.DOWN, Optional.of(Map.of("reason", "starting")));
        }
    }
}
