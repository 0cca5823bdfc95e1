package com.estatechat.settings;

import com.estatechat.identity.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Level;

/**
 * The settings an operator may change on a running server ({@link LiveSettings} re-reads them), as
 * one immutable snapshot: readers take the snapshot in force for each use and never see half a change.
 * The rules here are the only ones for these keys, at start and on every change.
 */
public record OperationalSettings(int ratePerSecond, int rateBurst, int maxMessageChars, int maxSessionsPerUser,
        List<String> allowedOrigins, boolean allowMissingOrigin, Set<Role> broadcastRoles,
        Duration heartbeatInterval, Duration heartbeatTimeout, Optional<Level> logLevel) {

    public static final String RATE_PER_SECOND = "chat.rate-limit.per-second";
    public static final String RATE_BURST = "chat.rate-limit.burst";
    public static final String MAX_MESSAGE_CHARS = "chat.max-message-chars";
    public static final String MAX_SESSIONS_PER_USER = "chat.session.max-per-user";
    public static final String ALLOWED_ORIGINS = "chat.allowed-origins";
    public static final String ALLOW_MISSING_ORIGIN = "chat.allow-missing-origin";
    public static final String BROADCAST_ROLES = "chat.broadcast-roles";
    public static final String HEARTBEAT_INTERVAL = "chat.heartbeat.interval";
    public static final String HEARTBEAT_TIMEOUT = "chat.heartbeat.timeout";
    public static final String LOG_LEVEL = "chat.log.level";

    /** Every live key, in the order docs/operations.md lists them. */
    public static final List<String> KEYS = List.of(RATE_PER_SECOND, RATE_BURST, MAX_MESSAGE_CHARS,
            MAX_SESSIONS_PER_USER, ALLOWED_ORIGINS, ALLOW_MISSING_ORIGIN, BROADCAST_ROLES, HEARTBEAT_INTERVAL,
            HEARTBEAT_TIMEOUT, LOG_LEVEL);

    static final Duration SHORTEST_HEARTBEAT = Duration.ofMillis(100);

    public OperationalSettings {
        allowedOrigins = List.copyOf(allowedOrigins);
        broadcastRoles = Collections.unmodifiableSet(broadcastRoles.isEmpty() ? EnumSet.noneOf(Role.class)
                : EnumSet.copyOf(broadcastRoles));
        Objects.requireNonNull(heartbeatInterval);
        Objects.requireNonNull(heartbeatTimeout);
        Objects.requireNonNull(logLevel);
    }

    /**
     * The settings after a change. Only the keys whose text differs between {@code before} and
     * {@code after} are read again; a value that breaks its rule is reported to {@code problems}
     * (naming the key, the value and the one kept) and the value of {@code inForce} stays. With
     * nothing in force (at start) every key is read, and a problem leaves {@code null} for the
     * caller to refuse.
     *
     * @param before each key's text when {@code inForce} was read (empty at start)
     * @param after each key's text now; a key that is unset maps to an empty Optional
     * @param maxFrameBytes {@code chat.max-frame-bytes}, the bound of {@code chat.max-message-chars}
     */
    public static OperationalSettings read(Map<String, Optional<String>> before, Map<String, Optional<String>> after,
            OperationalSettings inForce, int maxFrameBytes, Consumer<String> problems) {
        Reading reading = new Reading(before, after, inForce, problems);
        Integer perSecond = reading.value(RATE_PER_SECOND, inForce == null ? null : inForce.ratePerSecond,
                text -> wholeNumber(text, 1, 1_000_000));
        Integer burst = reading.value(RATE_BURST, inForce == null ? null : inForce.rateBurst,
                text -> wholeNumber(text, 1, 1_000_000));
        Integer maxChars = reading.value(MAX_MESSAGE_CHARS, inForce == null ? null : inForce.maxMessageChars,
                text -> wholeNumber(text, 1, maxFrameBytes));
        Integer maxSessions = reading.value(MAX_SESSIONS_PER_USER, inForce == null ? null : inForce.maxSessionsPerUser,
                text -> wholeNumber(text, 1, 10_000));
        List<String> origins = reading.value(ALLOWED_ORIGINS, inForce == null ? null : inForce.allowedOrigins,
                OperationalSettings::origins);
        Boolean missingOrigin = reading.value(ALLOW_MISSING_ORIGIN, inForce == null ? null : inForce.allowMissingOrigin,
                OperationalSettings::flag);
        Set<Role> broadcasters = reading.value(BROADCAST_ROLES, inForce == null ? null : inForce.broadcastRoles,
                OperationalSettings::roles);
        Optional<Level> level = reading.value(LOG_LEVEL, inForce == null ? null : inForce.logLevel,
                OperationalSettings::level);
        Duration interval = reading.value(HEARTBEAT_INTERVAL, inForce == null ? null : inForce.heartbeatInterval,
                OperationalSettings::heartbeat);
        Duration timeout = reading.value(HEARTBEAT_TIMEOUT, inForce == null ? null : inForce.heartbeatTimeout,
                OperationalSettings::heartbeat);
        if (interval != null && timeout != null && timeout.compareTo(interval) <= 0) {
            problems.accept(HEARTBEAT_TIMEOUT + " (" + text(after, HEARTBEAT_TIMEOUT) + ") must be longer than "
                    + HEARTBEAT_INTERVAL + " (" + text(after, HEARTBEAT_INTERVAL) + ")"
                    + (inForce == null ? "" : "; keeping " + inForce.heartbeatInterval.toMillis() + " ms and "
                            + inForce.heartbeatTimeout.toMillis() + " ms"));
            interval = inForce == null ? null : inForce.heartbeatInterval;
            timeout = inForce == null ? null : inForce.heartbeatTimeout;
            reading.failed |= inForce == null;
        }
        if (reading.failed) {
            return null;
        }
        return new OperationalSettings(perSecond, burst, maxChars, maxSessions, origins, missingOrigin, broadcasters,
                interval, timeout, level);
    }

    /** Allowed browser origins, lower case and without a trailing slash; {@code *} allows any. */
    public static List<String> origins(String list) {
        if (list == null || list.isBlank()) {
            return List.of();
        }
        return Arrays.stream(list.split(",")).map(String::trim).filter(origin -> !origin.isEmpty())
                .map(origin -> origin.toLowerCase(Locale.ROOT))
                .map(origin -> origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin).toList();
    }

    /** @throws IllegalArgumentException when the list names a role that does not exist */
    public static Set<Role> roles(String list) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String name : (list == null ? "" : list).split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty() || "none".equals(trimmed)) {
                continue;
            }
            roles.add(Role.fromWire(trimmed).orElseThrow(() -> new IllegalArgumentException(
                    "it lists '" + trimmed + "'; roles are admin, landlord and tenant")));
        }
        return roles;
    }

    /** MicroProfile Config's spellings of a boolean; anything else is refused rather than read as false. */
    static Boolean flag(String text) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "1", "yes", "y", "on" -> true;
            case "false", "0", "no", "n", "off" -> false;
            default -> throw new IllegalArgumentException("it must be true or false");
        };
    }

    static Optional<Level> level(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Level.parse(text.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("it must be a java.util.logging level (SEVERE, WARNING, INFO, FINE…)", e);
        }
    }

    static Duration heartbeat(String text) {
        Duration duration = Durations.parse(text);
        if (duration.compareTo(SHORTEST_HEARTBEAT) < 0) {
            throw new IllegalArgumentException("it must be at least " + SHORTEST_HEARTBEAT.toMillis() + "ms");
        }
        return duration;
    }

    static Integer wholeNumber(String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text == null ? "" : text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("it is not a whole number", e);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("it must lie between " + min + " and " + max);
        }
        return (int) value;
    }

    private static String text(Map<String, Optional<String>> texts, String key) {
        return texts.getOrDefault(key, Optional.empty()).orElse("");
    }

    /** One pass over the keys: which changed, and whether any could not be read. */
    private static final class Reading {

        private final Map<String, Optional<String>> before;
        private final Map<String, Optional<String>> after;
        private final boolean atStart;
        private final Consumer<String> problems;
        boolean failed;

        Reading(Map<String, Optional<String>> before, Map<String, Optional<String>> after, OperationalSettings inForce,
                Consumer<String> problems) {
            this.before = before;
            this.after = after;
            this.atStart = inForce == null;
            this.problems = problems;
        }

        <T> T value(String key, T inForce, java.util.function.Function<String, T> rule) {
            Optional<String> now = after.getOrDefault(key, Optional.empty());
            if (!atStart && now.equals(before.getOrDefault(key, Optional.empty()))) {
                return inForce;
            }
            try {
                return rule.apply(now.orElse(null));
            } catch (IllegalArgumentException | ArithmeticException e) {
                String shown = now.map(text -> "'" + text + "'").orElse("unset");
                problems.accept(key + " is " + shown + ": " + e.getMessage()
                        + (atStart ? "" : "; keeping " + describe(inForce)));
                failed |= atStart;
                return inForce;
            }
        }

        private static String describe(Object value) {
            if (value instanceof Duration duration) {
                return duration.toMillis() + " ms";
            }
            if (value instanceof Optional<?> optional) {
                return optional.map(String::valueOf).orElse("unset");
            }
            if (value instanceof Set<?> set) {
                List<String> names = new ArrayList<>();
                set.forEach(role -> names.add(role instanceof Role r ? r.wireName() : String.valueOf(role)));
                return names.isEmpty() ? "none" : String.join(",", names);
            }
            if (value instanceof List<?> list) {
                return list.isEmpty() ? "(same origin only)" : String.join(",", list.stream().map(String::valueOf).toList());
            }
            return String.valueOf(value);
        }
    }
}
