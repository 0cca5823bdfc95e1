package com.estatechat.identity;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Who is on the other end of a connection: a validated user id and its role, and, when a token
 * said so, when the identity expires and whom the user may message.
 *
 * @param expiresAt when the credentials end (the connection is closed then); null for none
 * @param contacts the only user ids this user may message; null for no restriction
 */
public record Identity(String userId, Role role, Instant expiresAt, Set<String> contacts) {

    /** A user id is 1 to 64 characters of {@code [A-Za-z0-9_.-]}. */
    public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** {@link #USER_ID} in words, for the answer to a bad one. */
    public static final String USER_ID_RULE = "a user id is 1 to 64 characters of A-Z, a-z, 0-9, '_', '.' and '-'";

    public Identity {
        Objects.requireNonNull(role, "role");
        if (!isValidUserId(userId)) {
            throw new IllegalArgumentException("invalid user id");
        }
        contacts = contacts == null ? null : Set.copyOf(contacts);
    }

    /** An identity without expiry or contact list. */
    public static Identity of(String userId, Role role) {
        return new Identity(userId, role, null, null);
    }

    public static boolean isValidUserId(String candidate) {
        return candidate != null && USER_ID.matcher(candidate).matches();
    }
}
