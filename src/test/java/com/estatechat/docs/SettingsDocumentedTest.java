package com.estatechat.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.settings.OperationalSettings;
import com.estatechat.settings.StartupKeys;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md's table of keys and the code say the same: a key the application injects
 * with {@code @ConfigProperty} is read once, at start, and so is documented {@code restart} (it
 * shows as {@code pending_restart} when changed: {@code StartupKeys} collects the same injection
 * points and the shipped defaults); a live key ({@link OperationalSettings#KEYS}) is documented {@code yes}; and the table
 * names no key the application does not read.
 */
class SettingsDocumentedTest {

    /** Keys the development launcher reads (src/dev), documented in the same table. */
    private static final String DEVELOPMENT_LAUNCHER = "chat.embedded.";
    /** Read only to refuse them by name, documented in the row of the key that replaced them. */
    private static final Set<String> EARLIER_NAMES = Set.of("chat.inbox.queue-type");

    private static final Pattern ROW = Pattern.compile("^\\| `(chat\\.[a-z0-9.-]+)` \\|[^|]*\\| (restart|yes) \\|",
            Pattern.MULTILINE);

    @Test
    void everyKeyIsDocumentedAsItIsRead() throws IOException {
        Map<String, String> documented = new TreeMap<>();
        Matcher row = ROW.matcher(Files.readString(Path.of("docs/operations.md")));
        while (row.find()) {
            documented.put(row.group(1), row.group(2));
        }
        Set<String> live = new TreeSet<>(OperationalSettings.KEYS);
        Set<String> atStart = new TreeSet<>(injectedKeys());
        atStart.addAll(StartupKeys.shippedDefaults(getClass().getClassLoader()));
        atStart.removeAll(live);

        List<String> disagreements = new ArrayList<>();
        live.stream().filter(key -> !"yes".equals(documented.get(key)))
                .forEach(key -> disagreements.add(key + ": live, documented " + documented.get(key)));
        atStart.stream().filter(key -> documented.containsKey(key) && !"restart".equals(documented.get(key)))
                .forEach(key -> disagreements.add(key + ": read at start, documented " + documented.get(key)));
        atStart.stream().filter(key -> !documented.containsKey(key) && !EARLIER_NAMES.contains(key))
                .forEach(key -> disagreements.add(key + ": read at start, not documented"));
        documented.keySet().stream().filter(key -> !live.contains(key) && !atStart.contains(key)
                && !key.startsWith(DEVELOPMENT_LAUNCHER)).forEach(key -> disagreements.add(key + ": documented, never read"));
        assertThat(disagreements).as("docs/operations.md's table of keys against the code").isEmpty();
    }

    /** The names of every {@code @ConfigProperty} field of the application's classes. */
    private static Set<String> injectedKeys() throws IOException {
        Path classes = Path.of("target", "classes");
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                try {
                    for (Field field : Class.forName(name, false, SettingsDocumentedTest.class.getClassLoader())
                            .getDeclaredFields()) {
                        ConfigProperty property = field.getAnnotation(ConfigProperty.class);
                        if (property != null) {
                            keys.add(property.name());
                        }
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    // a class that cannot load outside the container injects nothing we could check
                }
            }
        }
        return keys;
    }
}
