package com.estatechat.settings;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessInjectionPoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The keys the application reads once, at start: the name of every {@code @ConfigProperty}
 * injection point in the deployment, collected as the container discovers them, and every key
 * with a default in {@value #DEFAULTS} (a few are looked up at start instead of injected), except
 * the live keys ({@link OperationalSettings#KEYS}), which are looked up on each refresh. A change
 * to one of them takes effect at the next restart ({@link LiveSettings#pendingRestart()}), so a
 * key read anywhere shows as {@code pending_restart} when it changes, with no list to keep.
 */
public class StartupKeys implements Extension {

    /** Filled while the container deploys (its threads), read after. */
    private final Set<String> keys = ConcurrentHashMap.newKeySet();

    void collect(@Observes ProcessInjectionPoint<?, ?> injection) {
        ConfigProperty property = injection.getInjectionPoint().getAnnotated().getAnnotation(ConfigProperty.class);
        if (property != null && !property.name().isEmpty()) {
            keys.add(property.name());
        }
    }

    /** Where the shipped defaults are, on the application's class path. */
    static final String DEFAULTS = "META-INF/microprofile-config.properties";

    /** The keys read only at start, by name; {@code loader} is the application's. */
    public List<String> keys(ClassLoader loader) {
        Set<String> all = new TreeSet<>(keys);
        all.addAll(shippedDefaults(loader));
        all.removeAll(OperationalSettings.KEYS);
        return List.copyOf(all);
    }

    /** The {@code chat.*} keys the application ships a default for. */
    public static Set<String> shippedDefaults(ClassLoader loader) {
        Properties defaults = new Properties();
        try (InputStream in = loader.getResourceAsStream(DEFAULTS)) {
            if (in != null) {
                defaults.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DEFAULTS, e);
        }
        return defaults.stringPropertyNames().stream().filter(key -> key.startsWith("chat."))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
