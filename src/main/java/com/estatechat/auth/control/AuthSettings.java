package com.estatechat.auth.control;

import com.estatechat.auth.entity.AuthMode;
import com.estatechat.settings.Durations;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@code chat.auth.*} settings, read at start. Secrets are held here and never logged;
 * {@link IdentityResolver} turns them into an authenticator and reports what is unusable. The origin
 * and broadcast settings are live ({@link com.estatechat.settings.LiveSettings}).
 */
@ApplicationScoped
public class AuthSettings {

    @Inject
    @ConfigProperty(name = "chat.auth.mode")
    String mode;

    @Inject
    @ConfigProperty(name = "chat.auth.header-secret")
    Optional<String> headerSecret;

    @Inject
    @ConfigProperty(name = "chat.auth.jwt.secret")
    Optional<String> jwtSecret;

    @Inject
    @ConfigProperty(name = "chat.auth.jwt.public-key")
    Optional<String> jwtPublicKey;

    @Inject
    @ConfigProperty(name = "chat.auth.jwt.jwks-url")
    Optional<String> jwtJwksUrl;

    @Inject
    @ConfigProperty(name = "chat.auth.jwt.issuer")
    Optional<String> jwtIssuer;

    @Inject
    @ConfigProperty(name = "chat.auth.jwt.audience")
    Optional<String> jwtAudience;

    @Inject
    @ConfigProperty(name = "chat.auth.jwt.role-claim")
    String jwtRoleClaim;

    /** Read as text and checked here, so that a bad value names its key instead of failing the deployment. */
    @Inject
    @ConfigProperty(name = "chat.auth.jwt.allow-any-issuer")
    String jwtAllowAnyIssuer;

    @Inject
    @ConfigProperty(name = "chat.auth.jwt.allow-any-audience")
    String jwtAllowAnyAudience;

    @Inject
    @ConfigProperty(name = "chat.auth.jwt.jwks-max-stale")
    String jwtJwksMaxStale;

    @Inject
    @ConfigProperty(name = "chat.auth.max-session")
    String maxSession;

    @Inject
    @ConfigProperty(name = "chat.auth.none.allow-remote")
    String noneAllowRemote;

    @Inject
    @ConfigProperty(name = "chat.auth.header.allow-mqtt")
    String headerAllowMqtt;

    /** @throws IllegalArgumentException naming {@code chat.auth.mode} when it is not a mode */
    AuthMode mode() {
        return AuthMode.fromConfig(mode).orElseThrow(() -> new IllegalArgumentException(
                "chat.auth.mode is '" + mode + "'; it must be none, header or jwt"));
    }

    Optional<String> headerSecret() {
        return nonBlank(headerSecret);
    }

    JwtAuthenticator.Keys jwtKeys() {
        return new JwtAuthenticator.Keys(nonBlank(jwtSecret), nonBlank(jwtPublicKey), nonBlank(jwtJwksUrl));
    }

    Optional<String> jwtIssuer() {
        return nonBlank(jwtIssuer);
    }

    Optional<String> jwtAudience() {
        return nonBlank(jwtAudience);
    }

    String jwtRoleClaim() {
        return jwtRoleClaim;
    }

    /** @throws IllegalArgumentException naming the key when it is neither true nor false */
    boolean jwtAllowAnyIssuer() {
        return flag("chat.auth.jwt.allow-any-issuer", jwtAllowAnyIssuer);
    }

    boolean jwtAllowAnyAudience() {
        return flag("chat.auth.jwt.allow-any-audience", jwtAllowAnyAudience);
    }

    boolean noneAllowRemote() {
        return flag("chat.auth.none.allow-remote", noneAllowRemote);
    }

    boolean headerAllowMqtt() {
        return flag("chat.auth.header.allow-mqtt", headerAllowMqtt);
    }

    /** @throws IllegalArgumentException naming the key when it is not a duration of at least 4 s */
    Duration jwtJwksMaxStale() {
        return duration("chat.auth.jwt.jwks-max-stale", jwtJwksMaxStale, Duration.ofSeconds(4));
    }

    /** @throws IllegalArgumentException naming the key when it is not a duration of at least 1 s */
    Duration maxSession() {
        return duration("chat.auth.max-session", maxSession, Duration.ofSeconds(1));
    }

    private static boolean flag(String key, String value) {
        String trimmed = value == null ? "" : value.trim();
        if ("true".equalsIgnoreCase(trimmed)) {
            return true;
        }
        if ("false".equalsIgnoreCase(trimmed)) {
            return false;
        }
        throw new IllegalArgumentException(key + " is '" + value + "'; it must be true or false");
    }

    private static Duration duration(String key, String value, Duration minimum) {
        Duration duration;
        try {
            duration = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
        if (duration.compareTo(minimum) < 0) {
            throw new IllegalArgumentException(key + " is " + value + "; it must be at least " + minimum.toSeconds() + "s");
        }
        return duration;
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.filter(text -> !text.isBlank());
    }
}
