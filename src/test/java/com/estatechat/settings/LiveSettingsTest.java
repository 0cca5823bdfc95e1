package com.estatechat.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LiveSettingsTest {

    final Map<String, String> source = new HashMap<>(TestSettings.DEFAULTS);
    final List<SettingsChanged> fired = new ArrayList<>();
    final List<LogRecord> logged = new ArrayList<>();
    final Logger log = Logger.getLogger(LiveSettings.class.getName());
    final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    LiveSettings cut;

    @BeforeEach
    void start() {
        source.put("chat.amqp.url", "amqp://chat:old-password@rabbit:5672");
        source.put("chat.amqp.exchange", "chat.direct");
        log.addHandler(recorder);
        cut = TestSettings.live(source, true);
        cut.changes = new TestSettings.Observed(fired::add);
    }

    @AfterEach
    void stop() {
        log.removeHandler(recorder);
        cut.stop();
    }

    @Test
    void aGoodChangeSwapsTheWholeSnapshotAndTellsObserversOnce() {
        OperationalSettings before = cut.current();
        source.put(OperationalSettings.RATE_PER_SECOND, "2");
        source.put(OperationalSettings.RATE_BURST, "3");

        cut.refresh();
        cut.refresh();

        assertThat(cut.current()).isNotSameAs(before);
        assertThat(cut.current().ratePerSecond()).isEqualTo(2);
        assertThat(cut.current().rateBurst()).isEqualTo(3);
        assertThat(before.ratePerSecond()).as("a snapshot never changes").isEqualTo(20);
        assertThat(fired).singleElement().isEqualTo(new SettingsChanged(before, cut.current()));
    }

    @Test
    void aBadChangeIsAWarningNamingKeyAndValueKeptOnceAndNothingChanges() {
        OperationalSettings before = cut.current();
        source.put(OperationalSettings.MAX_MESSAGE_CHARS, "-1");

        cut.refresh();
        cut.refresh();

        assertThat(cut.current()).isSameAs(before);
        assertThat(fired).isEmpty();
        assertThat(logged).filteredOn(record -> record.getLevel() == Level.WARNING).singleElement()
                .extracting(LogRecord::getMessage).asString()
                .contains("chat.max-message-chars is '-1'").contains("keeping 4000");
    }

    @Test
    void aRestartKeyChangeIsWarnedOnceWithoutItsSecretAndStaysPendingUntilItIsBack() {
        source.put("chat.amqp.url", "amqp://chat:new-password@rabbit:5672");
        source.put("chat.amqp.exchange", "chat.other");

        cut.refresh();
        cut.refresh();

        assertThat(cut.pendingRestart()).as("by name").containsExactly("chat.amqp.exchange", "chat.amqp.url");
        List<String> warnings = logged.stream().filter(record -> record.getLevel() == Level.WARNING)
                .map(LogRecord::getMessage).toList();
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("chat.amqp.exchange").contains("'chat.other'").contains("'chat.direct'");
        assertThat(warnings.get(1)).contains("chat.amqp.url").contains("not shown").doesNotContain("password");

        source.put("chat.amqp.url", "amqp://chat:old-password@rabbit:5672");
        cut.refresh();
        assertThat(cut.pendingRestart()).containsExactly("chat.amqp.exchange");
        assertThat(cut.current()).as("the live snapshot is untouched").isEqualTo(TestSettings.live(Map.of()).current());
    }

    @Test
    void theLogLevelIsSetAndUnsetAgainRestoresTheConfiguredOne() {
        Level configured = LiveSettings.APPLICATION_LOGGER.getLevel();
        source.put(OperationalSettings.LOG_LEVEL, "FINE");
        cut.refresh();
        assertThat(LiveSettings.APPLICATION_LOGGER.getLevel()).isEqualTo(Level.FINE);

        source.remove(OperationalSettings.LOG_LEVEL);
        cut.refresh();
        assertThat(LiveSettings.APPLICATION_LOGGER.getLevel()).isEqualTo(configured);
    }

    @Test
    void aBadValueAtStartFailsTheDeploymentNamingTheKey() {
        source.put(OperationalSettings.BROADCAST_ROLES, "everyone");
        assertThatIllegalStateException().isThrownBy(() -> TestSettings.live(source, true))
                .withMessageContaining("chat.broadcast-roles is 'everyone'");
    }

    @Test
    void aSourceThatFailsLeavesTheSettingsInForce() {
        OperationalSettings before = cut.current();
        cut.source = key -> {
            throw new IllegalStateException("config gone");
        };
        cut.refresh();
        assertThat(cut.current()).isSameAs(before);
    }
}
