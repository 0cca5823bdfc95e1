package com.estatechat.identity;

import java.util.Locale;
import java.util.Optional;

/** The roles of the rental platform; they decide who may talk to whom. */
public enum Role {
    ADMIN, LANDLORD, TENANT;

    /** The role's name on the wire and in configuration: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role with this wire name, if there is one. */
    public static Optional<Role> fromWire(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (Role role : values()) {
            if (role.wireName().equals(value)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
