package com.estatechat.settings;

import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.NotificationOptions;
import jakarta.enterprise.util.TypeLiteral;
import java.lang.annotation.Annotation;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

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

    /**
     * The settings read from {@code source} itself, which the test may change before a
     * {@link #refresh(LiveSettings)}; each change goes to {@code observer}.
     */
    public static LiveSettings live(Map<String, String> source, Consumer<SettingsChanged> observer) {
        LiveSettings live = live(source, true);
        live.changes = new Observed(observer);
        return live;
    }

    /** One round of the refresher, on the caller's thread. */
    public static void refresh(LiveSettings live) {
        live.refresh();
    }

    /** The settings read from {@code source} itself, which the test may change before a {@code refresh()}. */
    static LiveSettings live(Map<String, String> source, boolean begin) {
        LiveSettings live = new LiveSettings();
        live.chatSettings = new ChatSettings();
        live.chatSettings.maxFrameBytes = 65536;
        live.source = key -> Optional.ofNullable(source.get(key)).filter(text -> !text.isEmpty());
        live.restartKeys = new StartupKeys().keys(TestSettings.class.getClassLoader()); // those with a default
        if (begin) {
            live.begin();
        }
        return live;
    }

    /** The CDI event, handing what is fired to a test's observer. */
    record Observed(Consumer<SettingsChanged> observer) implements Event<SettingsChanged> {
        @Override
        public void fire(SettingsChanged event) {
            observer.accept(event);
        }

        @Override
        public <U extends SettingsChanged> CompletionStage<U> fireAsync(U event) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends SettingsChanged> CompletionStage<U> fireAsync(U event, NotificationOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Event<SettingsChanged> select(Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends SettingsChanged> Event<U> select(Class<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <U extends SettingsChanged> Event<U> select(TypeLiteral<U> subtype, Annotation... qualifiers) {
            throw new UnsupportedOperationException();
        }
    }
}
