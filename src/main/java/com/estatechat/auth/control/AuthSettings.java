package com.estatechat.auth.control;

import com.estatechat.auth.entity.AuthMode;
import com.estatechat.auth.entity.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The {@code chat.auth.*}, origin and broadcast settings. Secrets are held here and never
 * logged; {@link IdentityResolver} turns them into an authenticator and reports what is unusable.
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

    @Inject
    @ConfigProperty(name = "chat.allowed-origins")
    Optional<String> allowedOrigins;

    @Inject
    @ConfigProperty(name = "chat.allow-missing-origin")
    boolean allowMissingOrigin;

    @Inject
    @ConfigProperty(name = "chat.broadcast-roles")
    String broadcastRoles;

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

    /** Allowed browser origins, lower case; {@code *} allows any. */
    List<String> allowedOrigins() {
        return nonBlank(allowedOrigins).map(list -> Arrays.stream(list.split(",")).map(String::trim)
                .filter(origin -> !origin.isEmpty()).map(origin -> origin.toLowerCase(Locale.ROOT))
                .map(origin -> origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin).toList())
                .orElse(List.of());
    }

    boolean allowMissingOrigin() {
        return allowMissingOrigin;
    }

    /** @throws IllegalArgumentException naming {@code chat.broadcast-roles} when it lists an unknown role */
    Set<Role> broadcastRoles() {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : broadcastRoles.split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty() || "none".equals(trimmed)) {
                continue;
            }
            roles.add(Role.fromWire(trimmed).orElseThrow(() -> new IllegalArgumentException(
                    "chat.broadcast-roles lists '" + trimmed + "'; roles are admin, landlord and tenant")));
        }
        return roles;
    }

    private static Optional<String> nonBlank(Optional<String> value) {
        return value.filter(text -> !text.isBlank());
    }
}
