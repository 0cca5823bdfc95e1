package com.estatechat.history.control;

import static com.estatechat.history.control.TestStores.delivered;
import static com.estatechat.history.control.TestStores.id;
import static com.estatechat.history.control.TestStores.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.chat.control.FrameCodec;
import com.estatechat.history.entity.HistoryEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the writer reads a message of the history queue, and what it tells the log about one it cannot use. */
class HistoryWriterTest {

    final FrameCodec codec = new FrameCodec();
    final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    final Logger log = Logger.getLogger(HistoryWriter.class.getName());
    final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    HistoryWriter cut;

    @BeforeEach
    void create() {
        log.addHandler(recorder);
        cut = new HistoryWriter();
        cut.codec = codec;
        cut.settings = new HistorySettings();
        cut.settings.queue = "chat.history";
    }

    @AfterEach
    void stop() {
        log.removeHandler(recorder);
        cut.stop();
    }

    private byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private String text(LogRecord record) {
        return new java.util.logging.SimpleFormatter().formatMessage(record);
    }

    @Test
    void aMessageWithMalformedEventsKeepsTheGoodOnesAndLogsOneLineWithTheirCount() {
        HistoryEvent good = message(id(), "alice", "bob");
        HistoryEvent noRecipient = new HistoryEvent(HistoryEvent.DELIVERED, id(), null, "alice", "tenant", "bob",
                "hi", null, "2026-11-30T12:00:00Z", "2026-11-30T12:00:01Z");
        HistoryEvent noKind = new HistoryEvent(null, id(), "bob", "alice", "tenant", "bob", "hi", null,
                "2026-11-30T12:00:00Z", "2026-11-30T12:00:00Z");

        List<HistoryEvent> events = cut.decode(body(codec.toJson(List.of(noRecipient, good, noKind, noKind))));

        assertThat(events).containsExactly(good);
        assertThat(warnings).singleElement().extracting(this::text).asString()
                .contains("chat.history", "3 of 4 events", "without its recipient", noRecipient.messageId());
    }

    @Test
    void aMessageWithOnlyMalformedEventsIsOneLineThatSaysItIsDeadLettered() {
        HistoryEvent noMessageId = new HistoryEvent(HistoryEvent.READ, null, "bob", "alice", null, null, null, null,
                null, "2026-11-30T12:00:00Z");

        assertThat(cut.decode(body(codec.toJson(List.of(noMessageId, noMessageId))))).isEmpty();

        assertThat(warnings).singleElement().extracting(this::text).asString()
                .contains("2 of 2 events", "without its message id", "dead-letter");
    }

    @Test
    void aMessageThatIsNotJsonOfEventsIsOneLineThatSaysItIsDeadLettered() {
        assertThat(cut.decode(body("{\"event\": [1, 2"))).isEmpty();

        assertThat(warnings).singleElement().extracting(this::text).asString().contains("chat.history", "dead-letter");
    }

    @Test
    void goodEventsLogNothing() {
        HistoryEvent sent = message(id(), "alice", "bob");

        assertThat(cut.decode(body(codec.toJson(List.of(sent, delivered(sent, "bob")))))).hasSize(2);
        assertThat(cut.decode(body(codec.toJson(sent)))).as("one event, as an earlier feed sent it").containsExactly(sent);

        assertThat(warnings).isEmpty();
    }
}
