package com.estatechat.auth.control;

import com.estatechat.auth.entity.AuthMode;
import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.auth.entity.Identity;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Decides who a handshake is from: first the {@code Origin} check against cross-site WebSocket
 * hijacking, then the authenticator of {@code chat.auth.mode}. When the mode's keys are missing or
 * unusable, every handshake is refused (401), readiness says why, and the log names the key.
 */
@ApplicationScoped
public class IdentityResolver {

    private static final Logger LOG = Logger.getLogger(IdentityResolver.class.getName());

    public static final String ID_PARAMETER = "id";
    public static final String ROLE_PARAMETER = "role";

    @Inject
    AuthSettings settings;

    private Authenticator authenticator;
    private String unusable;
    private List<String> allowedOrigins;

    /**
     * Created with the application, in its context: a readiness probe that arrives while the
     * application is still deploying must not be the first to read the auth settings.
     */
    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        unusable();
    }

    @PostConstruct
    void configure() {
        allowedOrigins = settings.allowedOrigins();
        try {
            AuthMode mode = settings.mode();
            authenticator = switch (mode) {
                case NONE -> {
                    LOG.warning("chat.auth.mode=none: anyone can connect as any user id. For development and demos only.");
                    yield new OpenAuthenticator();
                }
                case HEADER -> new SharedSecretAuthenticator(settings.headerSecret().orElseThrow(
                        () -> new IllegalArgumentException("chat.auth.mode=header needs chat.auth.header-secret")));
                case JWT -> jwt();
            };
        } catch (IllegalArgumentException e) {
            unusable = e.getMessage();
            LOG.severe(() -> "Every WebSocket handshake will be refused: " + unusable);
        }
    }

    private Authenticator jwt() {
        JwtAuthenticator.Keys keys = settings.jwtKeys();
        long given = (keys.secret().isPresent() ? 1 : 0) + (keys.publicKeyPem().isPresent() ? 1 : 0)
                + (keys.jwksUrl().isPresent() ? 1 : 0);
        if (given == 0) {
            throw new IllegalArgumentException("chat.auth.mode=jwt needs a key: set chat.auth.jwt.secret (HS256), "
                    + "chat.auth.jwt.public-key (PEM) or chat.auth.jwt.jwks-url");
        }
        if (given > 1) {
            throw new IllegalArgumentException("set only one of chat.auth.jwt.secret, chat.auth.jwt.public-key and "
                    + "chat.auth.jwt.jwks-url");
        }
        return new JwtAuthenticator(keys, settings.jwtIssuer(), settings.jwtAudience(), settings.jwtRoleClaim());
    }

    /** Why no handshake can succeed, if that is so: for readiness. */
    public Optional<String> unusable() {
        return Optional.ofNullable(unusable);
    }

    public Admission resolve(HandshakeCredentials credentials) {
        Optional<HandshakeRefusal> badOrigin = checkOrigin(credentials);
        if (badOrigin.isPresent()) {
            return Admission.refuse(badOrigin.get());
        }
        if (authenticator == null) {
            return Admission.refuse(HandshakeRefusal.unauthorized("authentication is not configured on this server"));
        }
        return authenticator.authenticate(credentials);
    }

    /**
     * A token sent on an open connection (the {@code auth} frame), verified as a handshake's token
     * is and required to name the same user: the connection's identity, renewed. Refused with 400
     * in a mode without tokens, 401 for a token that is not valid, 403 for another user's.
     */
    public Admission renew(Identity current, String token) {
        if (!(authenticator instanceof JwtAuthenticator)) {
            return Admission.refuse(HandshakeRefusal.badRequest("this server's auth mode has no tokens to renew"));
        }
        Admission admission = authenticator.authenticate(new HandshakeCredentials(name -> null,
                name -> "Authorization".equalsIgnoreCase(name) ? "Bearer " + token : null));
        if (admission.admitted() && !admission.identity().userId().equals(current.userId())) {
            return Admission.refuse(HandshakeRefusal.forbidden("the token is for another user"));
        }
        return admission;
    }

    private Optional<HandshakeRefusal> checkOrigin(HandshakeCredentials credentials) {
        String origin = credentials.header().apply("Origin");
        if (origin == null) {
            return settings.allowMissingOrigin() ? Optional.empty()
                    : Optional.of(HandshakeRefusal.forbidden("an Origin header is required"));
        }
        String normalized = origin.trim().toLowerCase(Locale.ROOT);
        if (allowedOrigins.contains("*") || allowedOrigins.contains(normalized)
                || isSameOrigin(normalized, credentials.header().apply("Host"))) {
            return Optional.empty();
        }
        return Optional.of(HandshakeRefusal.forbidden("origin " + origin + " is not allowed"));
    }

    /** A page served by this server may always connect to it. */
    private static boolean isSameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            String hostOnly = host.toLowerCase(Locale.ROOT);
            return authority != null && (authority.equals(hostOnly)
                    || (uri.getPort() < 0 && hostOnly.equals(authority + (origin.startsWith("https") ? ":443" : ":80"))));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
