package com.estatechat.auth.entity;

import java.util.Objects;
import java.util.regex.Pattern;

/** Who is on the other end of a connection: a validated user id and its role. */
public record Identity(String userId, Role role) {

    /** A user id is 1 to 64 characters of {@code [A-Za-z0-9_.-]}. */
    public static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public Identity {
        Objects.requireNonNull(role, "role");
        if (!isValidUserId(userId)) {
            throw new IllegalArgumentException("invalid user id");
        }
    }

    public static boolean isValidUserId(String candidate) {
        return candidate != null && USER_ID.matcher(candidate).matches();
    }
}
