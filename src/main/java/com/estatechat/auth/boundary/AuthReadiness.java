package com.estatechat.auth.boundary;

import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.settings.ProbesWhileStarting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while authentication cannot admit anyone (jwt mode without a key, a bad
 * {@code chat.auth.*} value, a JWKS never fetched or older than {@code chat.auth.jwt.jwks-max-stale}).
 * Its data names the mode, warns for mode none, and says how fresh a JWKS is.
 */
@Readiness
@ApplicationScoped
public class AuthReadiness implements HealthCheck {

    @Inject
    IdentityResolver identities;

    @Inject
    ProbesWhileStarting probes;

    @Override
    public HealthCheckResponse call() {
        return probes.answer("authentication", () -> {
            var response = HealthCheckResponse.named("authentication");
            Optional<String> unusable = identities.unusable();
            response.status(unusable.isEmpty());
            unusable.ifPresent(reason -> response.withData("reason", reason));
            identities.details().forEach(response::withData);
            return response.build();
        });
    }
}
