package com.estatechat.auth.boundary;

import com.estatechat.auth.control.IdentityResolver;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready while authentication cannot admit anyone (for example jwt mode without a key). */
@Readiness
@ApplicationScoped
public class AuthReadiness implements HealthCheck {

    @Inject
    IdentityResolver identities;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("authentication");
        try {
            Optional<String> unusable = identities.unusable();
            response.status(unusable.isEmpty());
            unusable.ifPresent(reason -> response.withData("reason", reason));
        } catch (RuntimeException e) {
            // a probe during deployment, before the application's configuration is in place
            response.down().withData("reason", "starting");
        }
        return response.build();
    }
}
