package com.estatechat.identity;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Broadcast targets: {@code role:tenant}, {@code role:landlord}, {@code role:admin} and
 * {@code role:*} (everyone). A target is also the AMQP routing key: each inbox is bound with its
 * user's role key and the everyone key, so one publish lands in every inbox of that role.
 */
public final class Broadcast {

    public static final String PREFIX = "role:";
    public static final String EVERYONE = PREFIX + "*";

    private Broadcast() {
    }

    public static boolean isBroadcast(String target) {
        return target != null && target.startsWith(PREFIX);
    }

    /** Whether the target names a role (or everyone) that exists. */
    public static boolean isValid(String target) {
        return EVERYONE.equals(target)
                || (isBroadcast(target) && Role.fromWire(target.substring(PREFIX.length())).isPresent());
    }

    public static String of(Role role) {
        return PREFIX + role.wireName();
    }

    /** The broadcast keys a user of this role receives. */
    public static List<String> keysFor(Role role) {
        return List.of(of(role), EVERYONE);
    }

    /** The role keys a user of this role must not be bound to (after a role change). */
    public static List<String> keysNotFor(Role role) {
        List<String> others = new ArrayList<>();
        for (Role other : Role.values()) {
            if (other != role) {
                others.add(of(other));
            }
        }
        return others;
    }

    public static Optional<Role> role(String target) {
        return isBroadcast(target) ? Role.fromWire(target.substring(PREFIX.length())) : Optional.empty();
    }
}
