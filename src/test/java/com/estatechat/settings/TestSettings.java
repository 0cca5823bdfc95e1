package com.estatechat.settings;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A {@link LiveSettings} on the shipped defaults and the given texts, for unit tests of its readers. */
public final class TestSettings {

    /** The live keys' defaults, as {@code META-INF/microprofile-config.properties} ships them. */
    static final Map<String, String> DEFAULTS = Map.of(
            OperationalSettings.RATE_PER_SECOND, "20",
            OperationalSettings.RATE_BURST, "40",
            OperationalSettings.MAX_MESSAGE_CHARS, "4000",
            OperationalSettings.MAX_SESSIONS_PER_USER, "10",
            OperationalSettings.ALLOW_MISSING_ORIGIN, "false",
            OperationalSettings.BROADCAST_ROLES, "admin",
            OperationalSettings.HEARTBEAT_INTERVAL, "30s",
            OperationalSettings.HEARTBEAT_TIMEOUT, "75s");

    private TestSettings() {
    }

    /** The settings read from the defaults with {@code texts} over them; the map stays the source, so a test may change it. */
    public static LiveSettings live(Map<String, String> texts) {
        Map<String, String> source = new HashMap<>(DEFAULTS);
        source.putAll(texts);
        return live(source, true);
    }

    /** The settings read from {@code source} itself, which the test may change before a {@code refresh()}. */
    static LiveSettings live(Map<String, String> source, boolean begin) {
        LiveSettings live = new LiveSettings();
        live.chatSettings = new ChatSettings();
        live.chatSettings.maxFrameBytes = 65536;
        live.source = key -> Optional.ofNullable(source.get(key)).filter(text -> !text.isEmpty());
        if (begin) {
            live.begin();
        }
        return live;
    }
}
