package com.estatechat.auth.control;

import com.estatechat.auth.entity.AuthMode;
import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.identity.Identity;
import com.estatechat.settings.LiveSettings;
import com.estatechat.settings.OperationalSettings;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Decides who a handshake is from: first (mode {@code none}) the loopback rule on the client's
 * address and its {@code Host}, then the {@code Origin} check against cross-site WebSocket
 * hijacking, then the authenticator of {@code chat.auth.mode}. When the mode's keys are missing or
 * unusable, or a {@code chat.auth.*} value is bad, every handshake is refused (401), readiness says
 * why, and the log names the key.
 */
@ApplicationScoped
public class IdentityResolver {

    private static final Logger LOG = Logger.getLogger(IdentityResolver.class.getName());

    public static final String ID_PARAMETER = "id";
    public static final String ROLE_PARAMETER = "role";
    static final Duration DEFAULT_MAX_SESSION = Duration.ofHours(24);

    @Inject
    AuthSettings settings;

    @Inject
    LiveSettings live;

    private Authenticator authenticator;
    private JwtAuthenticator jwt;
    private AuthMode mode;
    private String unusable;
    private boolean noneAllowRemote;
    private boolean headerAllowMqtt;
    private Duration maxSession = DEFAULT_MAX_SESSION;

    /**
     * Created with the application, in its context: a readiness probe that arrives while the
     * application is still deploying must not be the first to read the auth settings. A JWKS is
     * fetched here too, so that the first handshake does not wait for the identity provider.
     */
    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        unusable();
    }

    @PostConstruct
    void configure() {
        authenticator = null;
        jwt = null;
        mode = null;
        unusable = null;
        List<String> problems = new ArrayList<>();
        try {
            maxSession = settings.maxSession();
        } catch (IllegalArgumentException e) {
            maxSession = DEFAULT_MAX_SESSION;
            problems.add(e.getMessage());
        }
        try {
            noneAllowRemote = settings.noneAllowRemote();
        } catch (IllegalArgumentException e) {
            noneAllowRemote = false;
            problems.add(e.getMessage());
        }
        try {
            headerAllowMqtt = settings.headerAllowMqtt();
        } catch (IllegalArgumentException e) {
            headerAllowMqtt = false;
            problems.add(e.getMessage());
        }
        // read in every mode: a bad value is named even where it does not matter yet
        boolean allowAnyIssuer = false;
        boolean allowAnyAudience = false;
        Duration maxStale = JwtAuthenticator.DEFAULT_JWKS_MAX_STALE;
        try {
            allowAnyIssuer = settings.jwtAllowAnyIssuer();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            allowAnyAudience = settings.jwtAllowAnyAudience();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            maxStale = settings.jwtJwksMaxStale();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            mode = settings.mode();
            authenticator = switch (mode) {
                case NONE -> {
                    LOG.warning(noneAllowRemote
                            ? "chat.auth.mode=none with chat.auth.none.allow-remote=true: anyone who reaches this "
                                    + "server can connect as any user id. For development and demos only."
                            : "chat.auth.mode=none: anyone on this machine (loopback clients only) can connect as any "
                                    + "user id. For development and demos only.");
                    yield new OpenAuthenticator();
                }
                case HEADER -> {
                    SharedSecretAuthenticator header = new SharedSecretAuthenticator(settings.headerSecret().orElseThrow(
                            () -> new IllegalArgumentException("chat.auth.mode=header needs chat.auth.header-secret")));
                    LOG.warning(headerAllowMqtt
                            ? "chat.auth.mode=header with chat.auth.header.allow-mqtt=true: every MQTT client holds"
                                    + " chat.auth.header-secret as its password, and whoever has it is any user, admin"
                                    + " included"
                            : "chat.auth.mode=header: whoever holds chat.auth.header-secret is any user, admin included;"
                                    + " serve it only behind a trusted backend. /mqtt refuses it"
                                    + " (chat.auth.header.allow-mqtt)");
                    yield header;
                }
                case JWT -> problems.isEmpty() ? jwt(allowAnyIssuer, allowAnyAudience, maxStale) : null;
            };
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            close();
            authenticator = null;
            jwt = null;
            unusable = String.join("; ", problems);
            problems.forEach(problem -> LOG.severe(() -> "Every WebSocket handshake will be refused: " + problem));
            return;
        }
        if (jwt != null) {
            jwt.jwks().ifPresent(JwksKeys::load);
        }
    }

    private Authenticator jwt(boolean allowAnyIssuer, boolean allowAnyAudience, Duration maxStale) {
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
        if (keys.secret().isEmpty()) {
            // an identity provider's key signs tokens for many applications: without iss and aud, a token minted
            // for another one would pass, and its role claim would decide who is admin here
            List<String> missing = new ArrayList<>();
            if (settings.jwtIssuer().isEmpty() && !allowAnyIssuer) {
                missing.add("chat.auth.jwt.issuer (or chat.auth.jwt.allow-any-issuer=true)");
            }
            if (settings.jwtAudience().isEmpty() && !allowAnyAudience) {
                missing.add("chat.auth.jwt.audience (or chat.auth.jwt.allow-any-audience=true)");
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("with chat.auth.jwt.public-key or chat.auth.jwt.jwks-url, set "
                        + String.join(" and ", missing)
                        + ": else a token the identity provider issued for another application is accepted");
            }
            if (settings.jwtIssuer().isEmpty()) {
                LOG.warning("chat.auth.jwt.allow-any-issuer=true: tokens from any issuer that the key signs are accepted");
            }
            if (settings.jwtAudience().isEmpty()) {
                LOG.warning("chat.auth.jwt.allow-any-audience=true: tokens for any audience are accepted, including "
                        + "those issued for other applications");
            }
        }
        jwt = new JwtAuthenticator(keys, maxStale, settings.jwtIssuer(), settings.jwtAudience(),
                settings.jwtRoleClaim());
        return jwt;
    }

    /** Why no handshake can succeed, if that is so: for readiness. */
    public Optional<String> unusable() {
        if (unusable != null) {
            return Optional.of(unusable);
        }
        return jwt == null ? Optional.empty() : jwt.jwks().flatMap(JwksKeys::unusable);
    }

    /** What readiness shows besides the status: the mode, a warning for mode none, the state of a JWKS. */
    public Map<String, String> details() {
        Map<String, String> details = new LinkedHashMap<>();
        if (mode != null) {
            details.put("mode", mode.name().toLowerCase(Locale.ROOT));
        }
        if (mode == AuthMode.NONE && unusable == null) {
            details.put("warning", noneAllowRemote
                    ? "no authentication: anyone can connect as any user (chat.auth.none.allow-remote=true)"
                    : "no authentication: loopback clients only, as any user");
        }
        if (jwt != null) {
            jwt.jwks().ifPresent(keys -> details.putAll(keys.details()));
        }
        return details;
    }

    /** The longest a session lives on one authentication ({@code chat.auth.max-session}), whatever its token says. */
    public Duration maxSession() {
        return maxSession;
    }

    /** For the WebSocket configurator, after the {@code HandshakeFilter} admitted the client's address. */
    public Admission resolve(HandshakeCredentials credentials) {
        Optional<HandshakeRefusal> badOrigin = checkOrigin(credentials);
        if (badOrigin.isPresent()) {
            return Admission.refuse(badOrigin.get());
        }
        if (authenticator == null) {
            return Admission.refuse(HandshakeRefusal.unauthorized("authentication is not configured on this server: "
                    + unusable));
        }
        return authenticator.authenticate(credentials);
    }

    /**
     * For the {@code HandshakeFilter}, which knows the client's address: mode {@code none} serves
     * only loopback clients unless {@code chat.auth.none.allow-remote=true}.
     */
    public Admission resolve(HandshakeCredentials credentials, String remoteAddress) {
        Optional<HandshakeRefusal> notLocal = checkLoopback(credentials, remoteAddress);
        return notLocal.isPresent() ? Admission.refuse(notLocal.get()) : resolve(credentials);
    }

    /**
     * An MQTT CONNECT, as a handshake from {@code remoteAddress}. Mode {@code header} is refused
     * (403) unless {@code chat.auth.header.allow-mqtt}: its secret is meant for a trusted backend,
     * and on {@code /mqtt} every client would hold it as its password.
     */
    public Admission resolveMqttConnect(HandshakeCredentials credentials, String remoteAddress) {
        if (mode == AuthMode.HEADER && authenticator != null && !headerAllowMqtt) {
            return Admission.refuse(HandshakeRefusal.forbidden("mode header is not served on /mqtt: every MQTT client"
                    + " would hold the shared secret (chat.auth.header.allow-mqtt)"));
        }
        return resolve(credentials, remoteAddress);
    }

    /**
     * Mode {@code none}'s loopback rule: the client's address, and the {@code Host} it asked for. A
     * DNS-rebinding page connects from loopback with an Origin that matches its Host, so only the
     * Host shows that a browser took this server for another site's. A client without a Host
     * (HTTP/1.0) is judged by its address alone: browsers always send one.
     */
    private Optional<HandshakeRefusal> checkLoopback(HandshakeCredentials credentials, String remoteAddress) {
        if (mode != AuthMode.NONE || authenticator == null || noneAllowRemote) {
            return Optional.empty();
        }
        if (!isLoopback(remoteAddress)) {
            return Optional.of(HandshakeRefusal.forbidden("mode none admits loopback clients only, and "
                    + remoteAddress + " is not one (chat.auth.none.allow-remote)"));
        }
        String host = credentials.header().apply("Host");
        if (host != null && !isLoopback(hostName(host))) {
            return Optional.of(HandshakeRefusal.forbidden("mode none admits loopback clients only, and the Host "
                    + host + " is not a loopback name or address (chat.auth.none.allow-remote)"));
        }
        return Optional.empty();
    }

    /** The name or address of a {@code Host} header, without its port; IPv6 keeps its brackets. */
    static String hostName(String host) {
        String trimmed = host.trim();
        if (trimmed.startsWith("[")) {
            int end = trimmed.indexOf(']');
            return end < 0 ? trimmed : trimmed.substring(0, end + 1);
        }
        int colon = trimmed.indexOf(':');
        return colon < 0 ? trimmed : trimmed.substring(0, colon);
    }

    /**
     * A new token for a connection that is open (the in-band {@code auth} frame): verified exactly
     * like a handshake's token, and it must name the same user with the same role (a role change
     * moves broadcast bindings, which only a new connection does). The new identity's
     * {@code expiresAt} is the new token's; {@code chat.auth.max-session} counts again from the renewal.
     */
    public Admission renew(Identity current, String token) {
        if (jwt == null) {
            return Admission.refuse(HandshakeRefusal.badRequest("this server's auth mode has no tokens to renew"));
        }
        if (token == null || token.isBlank()) {
            return Admission.refuse(HandshakeRefusal.unauthorized("no token"));
        }
        Admission renewed = jwt.verify(token.trim());
        if (!renewed.admitted()) {
            return renewed;
        }
        if (!renewed.identity().userId().equals(current.userId())) {
            return Admission.refuse(HandshakeRefusal.forbidden("the new token is for another user"));
        }
        if (renewed.identity().role() != current.role()) {
            return Admission.refuse(HandshakeRefusal.forbidden("the new token has another role: reconnect"));
        }
        return renewed;
    }

    @PreDestroy
    void close() {
        if (jwt != null) {
            jwt.jwks().ifPresent(JwksKeys::close);
        }
    }

    /** Whether an address literal (or the name localhost) is a loopback address; no name is ever looked up. */
    static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) {
            return false;
        }
        String bare = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
                : address;
        if (bare.equalsIgnoreCase("localhost")) {
            return true;
        }
        // an IPv4 literal, or IPv6 (a name never holds a colon)
        if (!bare.matches("[0-9.]+") && !bare.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * A REST call: the same identity as a handshake, from the same addresses (mode {@code none}
     * serves loopback callers only). Its {@code Origin} is checked when it has one (a browser's
     * call) and not required: a bearer token or shared secret is not sent by a browser on its own,
     * so another site cannot borrow it.
     */
    public Admission resolveApiCall(HandshakeCredentials credentials, String remoteAddress) {
        Optional<HandshakeRefusal> notLocal = checkLoopback(credentials, remoteAddress);
        if (notLocal.isPresent()) {
            return Admission.refuse(notLocal.get());
        }
        if (credentials.header().apply("Origin") != null) {
            return resolve(credentials);
        }
        if (authenticator == null) {
            return Admission.refuse(HandshakeRefusal.unauthorized("authentication is not configured on this server: "
                    + unusable));
        }
        return authenticator.authenticate(credentials);
    }

    private Optional<HandshakeRefusal> checkOrigin(HandshakeCredentials credentials) {
        String origin = credentials.header().apply("Origin");
        OperationalSettings inForce = live.current();
        if (origin == null) {
            return inForce.allowMissingOrigin() ? Optional.empty()
                    : Optional.of(HandshakeRefusal.forbidden("an Origin header is required"));
        }
        String normalized = origin.trim().toLowerCase(Locale.ROOT);
        List<String> allowedOrigins = inForce.allowedOrigins();
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
