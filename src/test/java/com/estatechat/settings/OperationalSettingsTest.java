package com.estatechat.settings;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.identity.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class OperationalSettingsTest {

    final List<String> problems = new ArrayList<>();

    static Map<String, Optional<String>> texts(Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>(TestSettings.DEFAULTS);
        all.putAll(overrides);
        Map<String, Optional<String>> texts = new HashMap<>();
        OperationalSettings.KEYS.forEach(key -> texts.put(key, Optional.ofNullable(all.get(key))));
        return texts;
    }

    OperationalSettings atStart(Map<String, String> overrides) {
        return OperationalSettings.read(Map.of(), texts(overrides), null, 65536, problems::add);
    }

    @Test
    void theShippedDefaultsAreValid() {
        OperationalSettings settings = atStart(Map.of());
        assertThat(problems).isEmpty();
        assertThat(settings).isEqualTo(new OperationalSettings(20, 40, 4000, 10, List.of(), false,
                java.util.Set.of(Role.ADMIN), Duration.ofSeconds(30), Duration.ofSeconds(75), Optional.empty()));
    }

    @Test
    void originsAreNormalisedAndRolesRead() {
        OperationalSettings settings = atStart(Map.of(OperationalSettings.ALLOWED_ORIGINS,
                " https://App.example.com/ ,https://admin.example.com", OperationalSettings.BROADCAST_ROLES,
                "admin, landlord", OperationalSettings.ALLOW_MISSING_ORIGIN, "yes", OperationalSettings.LOG_LEVEL, "fine"));
        assertThat(settings.allowedOrigins()).containsExactly("https://app.example.com", "https://admin.example.com");
        assertThat(settings.broadcastRoles()).containsExactlyInAnyOrder(Role.ADMIN, Role.LANDLORD);
        assertThat(settings.allowMissingOrigin()).isTrue();
        assertThat(settings.logLevel()).contains(Level.FINE);
        assertThat(atStart(Map.of(OperationalSettings.BROADCAST_ROLES, "none")).broadcastRoles()).isEmpty();
    }

    @Test
    void atStartEveryBadValueIsNamedAndNothingIsInForce() {
        OperationalSettings settings = atStart(Map.of(OperationalSettings.RATE_PER_SECOND, "0",
                OperationalSettings.BROADCAST_ROLES, "admin,janitor", OperationalSettings.MAX_MESSAGE_CHARS, "70000",
                OperationalSettings.ALLOW_MISSING_ORIGIN, "maybe"));
        assertThat(settings).isNull();
        assertThat(problems).hasSize(4).anySatisfy(p -> assertThat(p).contains("chat.rate-limit.per-second is '0'"))
                .anySatisfy(p -> assertThat(p).contains("chat.broadcast-roles").contains("janitor"))
                .anySatisfy(p -> assertThat(p).contains("chat.max-message-chars is '70000'").contains("65536"))
                .anySatisfy(p -> assertThat(p).contains("chat.allow-missing-origin is 'maybe'"));
    }

    @Test
    void aBadChangeKeepsTheValueInForceAndAGoodOneBesideItIsTaken() {
        OperationalSettings inForce = atStart(Map.of());
        OperationalSettings after = OperationalSettings.read(texts(Map.of()), texts(Map.of(
                OperationalSettings.RATE_PER_SECOND, "fast", OperationalSettings.MAX_MESSAGE_CHARS, "10")),
                inForce, 65536, problems::add);
        assertThat(after.ratePerSecond()).isEqualTo(20);
        assertThat(after.maxMessageChars()).isEqualTo(10);
        assertThat(problems).singleElement().satisfies(p -> assertThat(p)
                .contains("chat.rate-limit.per-second is 'fast'").contains("keeping 20"));
    }

    @Test
    void onlyChangedKeysAreReadAgainSoABadValueIsReportedOnce() {
        OperationalSettings inForce = atStart(Map.of());
        Map<String, Optional<String>> bad = texts(Map.of(OperationalSettings.HEARTBEAT_INTERVAL, "often"));
        OperationalSettings first = OperationalSettings.read(texts(Map.of()), bad, inForce, 65536, problems::add);
        OperationalSettings again = OperationalSettings.read(bad, bad, first, 65536, problems::add);
        assertThat(again).isEqualTo(inForce);
        assertThat(problems).hasSize(1);
    }

    @Test
    void aTimeoutNoLongerThanTheIntervalKeepsBoth() {
        OperationalSettings inForce = atStart(Map.of());
        OperationalSettings after = OperationalSettings.read(texts(Map.of()),
                texts(Map.of(OperationalSettings.HEARTBEAT_INTERVAL, "80s")), inForce, 65536, problems::add);
        assertThat(after.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(after.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(75));
        assertThat(problems).singleElement().satisfies(p -> assertThat(p).contains("chat.heartbeat.timeout (75s)")
                .contains("chat.heartbeat.interval (80s)").contains("keeping 30000 ms and 75000 ms"));
    }
}
