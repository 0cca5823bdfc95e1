package com.estatechat.settings;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the durations operators write in configuration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT30S}). */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {
    }

    /** @throws IllegalArgumentException when the text is not a duration of zero or more */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration");
        }
        String value = text.trim().toLowerCase(Locale.ROOT);
        Matcher matcher = SHORT.matcher(value);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            Duration duration = Duration.parse(text.trim());
            if (duration.isNegative()) {
                throw new IllegalArgumentException("negative duration: " + text);
            }
            return duration;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration (use 500ms, 30s, 5m or PT30S): " + text, e);
        }
    }

    /**
     * Reads a duration setting: a value that is not a duration, or is shorter than {@code minimum},
     * adds a problem naming the key to {@code problems} and gives null.
     */
    public static Duration setting(List<String> problems, String key, String value, Duration minimum) {
        try {
            Duration duration = parse(value);
            if (duration.compareTo(minimum) < 0) {
                problems.add(key + " is " + value + "; it must be at least " + minimum.toMillis() + "ms");
            }
            return duration;
        } catch (IllegalArgumentException e) {
            problems.add(key + ": " + e.getMessage());
            return null;
        }
    }
}
