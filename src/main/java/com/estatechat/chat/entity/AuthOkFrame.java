package com.estatechat.chat.entity;

/**
 * The answer to an {@code auth} frame whose token was accepted: the connection now lives until
 * {@code expiresAt} (ISO-8601 UTC), the new token's {@code exp}.
 */
public record AuthOkFrame(String type, String expiresAt) {

    public static AuthOkFrame of(String expiresAt) {
        return new AuthOkFrame("auth_ok", expiresAt);
    }
}
