package com.estatechat.auth.control;

import com.estatechat.settings.LiveSettings;
import java.util.Optional;

/** {@link IdentityResolver}s for unit tests of the code that asks who a client is. */
public final class TestIdentities {

    private TestIdentities() {
    }

    /** The {@code chat.auth.*} keys as shipped, in {@code mode}, with no secret or key. */
    static AuthSettings shipped(String mode) {
        AuthSettings settings = new AuthSettings();
        settings.mode = mode;
        settings.headerSecret = Optional.empty();
        settings.jwtSecret = Optional.empty();
        settings.jwtPublicKey = Optional.empty();
        settings.jwtJwksUrl = Optional.empty();
        settings.jwtIssuer = Optional.empty();
        settings.jwtAudience = Optional.empty();
        settings.jwtRoleClaim = "role";
        settings.jwtAllowAnyIssuer = "false";
        settings.jwtAllowAnyAudience = "false";
        settings.jwtJwksMaxStale = "1h";
        settings.maxSession = "24h";
        settings.noneAllowRemote = "false";
        settings.headerAllowMqtt = "false";
        return settings;
    }

    /** Mode {@code header} with {@code secret}; {@code allowMqtt} is {@code chat.auth.header.allow-mqtt}. */
    public static IdentityResolver headerMode(String secret, boolean allowMqtt, LiveSettings live) {
        AuthSettings settings = shipped("header");
        settings.headerSecret = Optional.of(secret);
        settings.headerAllowMqtt = Boolean.toString(allowMqtt);
        IdentityResolver resolver = new IdentityResolver();
        resolver.settings = settings;
        resolver.live = live;
        resolver.configure();
        return resolver;
    }
}
