package com.estatechat.auth.entity;

import java.util.Locale;
import java.util.Optional;

/** How a handshake proves who it is from ({@code chat.auth.mode}). */
public enum AuthMode {
    /** The {@code id} query parameter is believed: development and demos only. */
    NONE,
    /** The {@code id} query parameter, admitted when {@code Authorization} equals a shared secret. */
    HEADER,
    /** A signed JWT: {@code sub} is the user, a claim the role. */
    JWT;

    public static Optional<AuthMode> fromConfig(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (AuthMode mode : values()) {
            if (mode.name().equals(value.trim().toUpperCase(Locale.ROOT))) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
