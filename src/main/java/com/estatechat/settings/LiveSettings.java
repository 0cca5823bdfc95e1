package com.estatechat.settings;

import com.estatechat.concurrent.Workers;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The operational settings in force, re-read every {@code chat.settings.refresh-interval} on the
 * {@code chat-settings} thread from every config source (a system property, Payara's domain source,
 * a watched config directory), without a redeploy. A bad new value is logged with its key and the
 * value kept; a good one replaces the whole {@link OperationalSettings} snapshot, and
 * {@link SettingsChanged} tells those that must redo something (the heartbeat's schedule). A key
 * that is read only at start and changed since is logged once and listed by {@link #pendingRestart()}.
 */
@ApplicationScoped
public class LiveSettings {

    private static final Logger LOG = Logger.getLogger(LiveSettings.class.getName());

    /** The logger whose level {@code chat.log.level} sets; held here so that the level is not lost with it. */
    static final Logger APPLICATION_LOGGER = Logger.getLogger("com.estatechat");

    /** The keys read only at start, in the order {@link #pendingRestart()} names them: see {@link StartupKeys}. */
    List<String> restartKeys = List.of();

    /** Named in the log, never shown: a URL with a password, secrets, a PEM that would fill the line. */
    static final Set<String> NOT_SHOWN = Set.of("chat.amqp.url", "chat.auth.header-secret", "chat.auth.jwt.secret",
            "chat.auth.jwt.public-key");

    @Inject
    ChatSettings chatSettings;

    @Inject
    StartupKeys startupKeys;

    @Inject
    Event<SettingsChanged> changes;

    @Inject
    @ConfigProperty(name = "chat.settings.refresh-interval")
    String refreshInterval;

    /** Each key's text in the application's config now; empty when unset. */
    Function<String, Optional<String>> source;

    private volatile OperationalSettings current;
    private volatile List<String> pendingRestart = List.of();

    // the refresher's own state: set before its thread starts, then touched only by that thread
    private Map<String, Optional<String>> liveTexts;
    private Map<String, Optional<String>> restartTextsAtStart;
    private final Map<String, Optional<String>> restartTextsSeen = new LinkedHashMap<>();
    private Level levelBeforeSetting;
    private boolean levelSet;
    private Duration refreshEvery;
    private ScheduledThreadPoolExecutor refresher;

    /**
     * Reads the keys on the deploying thread: a bad value fails the deployment, naming its key,
     * like every other setting. The application's class loader is kept for the refresher, whose
     * thread has no application context: MicroProfile Config finds the application by it.
     */
    @PostConstruct
    void readAtStart() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader application = context != null ? context : LiveSettings.class.getClassLoader();
        if (source == null) {
            source = key -> ConfigProvider.getConfig(application).getOptionalValue(key, String.class);
        }
        restartKeys = startupKeys.keys(application);
        refreshEvery = Durations.parse(refreshInterval);
        if (refreshEvery.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalStateException("Invalid configuration: chat.settings.refresh-interval is "
                    + refreshInterval + "; it must be at least 100ms");
        }
        begin();
    }

    /** Reads every key and puts the snapshot in force; {@link IllegalStateException} naming each bad key. */
    void begin() {
        liveTexts = texts(OperationalSettings.KEYS);
        restartTextsAtStart = texts(restartKeys);
        restartTextsSeen.putAll(restartTextsAtStart);
        List<String> problems = new ArrayList<>();
        OperationalSettings first = OperationalSettings.read(Map.of(), liveTexts, null, chatSettings.maxFrameBytes(),
                problems::add);
        if (first == null) {
            problems.forEach(problem -> LOG.severe(() -> "Invalid configuration: " + problem));
            throw new IllegalStateException("Invalid configuration: " + String.join("; ", problems));
        }
        current = first;
        applyLogLevel(first.logLevel());
    }

    void start(@Observes @Initialized(ApplicationScoped.class) Object applicationStarted) {
        refresher = new ScheduledThreadPoolExecutor(1, Workers.daemonThreads("chat-settings"));
        long every = refreshEvery.toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
        LOG.fine(() -> "Re-reading the live settings every " + every + " ms");
    }

    /** The settings in force; take it once per use and read every field from that one snapshot. */
    public OperationalSettings current() {
        return current;
    }

    /** Keys changed in a config source since start that only a restart applies, by name. */
    public List<String> pendingRestart() {
        return pendingRestart;
    }

    /** One round on the refresher's thread: never throws, so that one bad round does not end the rounds. */
    void refresh() {
        try {
            refreshLive();
            watchRestartKeys();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Re-reading the live settings failed; the settings in force stay", e);
        }
    }

    private void refreshLive() {
        Map<String, Optional<String>> now = texts(OperationalSettings.KEYS);
        if (now.equals(liveTexts)) {
            return;
        }
        OperationalSettings before = current;
        OperationalSettings after = OperationalSettings.read(liveTexts, now, before, chatSettings.maxFrameBytes(),
                problem -> LOG.warning(() -> "Invalid live setting: " + problem));
        List<String> changedKeys = OperationalSettings.KEYS.stream()
                .filter(key -> !now.get(key).equals(liveTexts.get(key))).toList();
        liveTexts = now;
        if (after.equals(before)) {
            return;
        }
        current = after;
        LOG.info(() -> "Live settings changed (" + String.join(", ", changedKeys) + "): now " + describe(after));
        if (!after.logLevel().equals(before.logLevel())) {
            applyLogLevel(after.logLevel());
        }
        changes.fire(new SettingsChanged(before, after));
    }

    private void watchRestartKeys() {
        Map<String, Optional<String>> now = texts(restartKeys);
        List<String> pending = new ArrayList<>();
        for (String key : restartKeys) {
            Optional<String> text = now.get(key);
            Optional<String> atStart = restartTextsAtStart.get(key);
            if (!text.equals(restartTextsSeen.get(key))) {
                restartTextsSeen.put(key, text);
                if (text.equals(atStart)) {
                    LOG.info(() -> key + " is back to the value in force; no restart needed for it");
                } else {
                    boolean hidden = NOT_SHOWN.contains(key);
                    String changedTo = hidden ? "" : " to " + shown(text);
                    String inForce = hidden ? "the value read at start (not shown)" : shown(atStart);
                    LOG.warning(() -> key + " changed in a config source" + changedTo
                            + "; it is read only at start and takes effect at the next restart. In force until then: "
                            + inForce);
                }
            }
            if (!text.equals(atStart)) {
                pending.add(key);
            }
        }
        if (!pending.equals(pendingRestart)) {
            pendingRestart = List.copyOf(pending);
        }
    }

    /**
     * Sets the level of {@code com.estatechat}'s logger; unset again, the level it had before (the
     * logging configuration's) comes back.
     */
    private void applyLogLevel(Optional<Level> level) {
        if (level.isPresent()) {
            if (!levelSet) {
                levelBeforeSetting = APPLICATION_LOGGER.getLevel();
                levelSet = true;
            }
            APPLICATION_LOGGER.setLevel(level.get());
        } else if (levelSet) {
            APPLICATION_LOGGER.setLevel(levelBeforeSetting);
            levelSet = false;
        }
    }

    private Map<String, Optional<String>> texts(List<String> keys) {
        Map<String, Optional<String>> texts = new LinkedHashMap<>();
        for (String key : keys) {
            texts.put(key, source.apply(key));
        }
        return texts;
    }

    private static String shown(Optional<String> text) {
        return text.map(value -> "'" + value + "'").orElse("unset");
    }

    private static String describe(OperationalSettings settings) {
        return OperationalSettings.RATE_PER_SECOND + "=" + settings.ratePerSecond() + ", "
                + OperationalSettings.RATE_BURST + "=" + settings.rateBurst() + ", "
                + OperationalSettings.MAX_MESSAGE_CHARS + "=" + settings.maxMessageChars() + ", "
                + OperationalSettings.MAX_SESSIONS_PER_USER + "=" + settings.maxSessionsPerUser() + ", "
                + OperationalSettings.ALLOWED_ORIGINS + "=" + settings.allowedOrigins() + ", "
                + OperationalSettings.ALLOW_MISSING_ORIGIN + "=" + settings.allowMissingOrigin() + ", "
                + OperationalSettings.BROADCAST_ROLES + "=" + settings.broadcastRoles() + ", "
                + OperationalSettings.HEARTBEAT_INTERVAL + "=" + settings.heartbeatInterval().toMillis() + "ms, "
                + OperationalSettings.HEARTBEAT_TIMEOUT + "=" + settings.heartbeatTimeout().toMillis() + "ms, "
                + OperationalSettings.LOG_LEVEL + "=" + settings.logLevel().map(Level::getName).orElse("unset");
    }

    @PreDestroy
    void stop() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
        if (levelSet) {
            APPLICATION_LOGGER.setLevel(levelBeforeSetting);
        }
    }
}
