package com.estatechat.push.control;

import static com.estatechat.history.control.TestStores.delivered;
import static com.estatechat.history.control.TestStores.id;
import static com.estatechat.history.control.TestStores.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.history.control.ConversationStore;
import com.estatechat.history.control.TestStores;
import com.estatechat.history.entity.HistoryEvent;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The coalescing decision, on both databases the store runs on. */
class PushMarksTest {

    private ConversationStore store;
    private final PushMarks cut = new PushMarks();

    private void open(String database) {
        store = TestStores.open(database);
        cut.store = store;
        cut.calls = TestStores.reads(store);
    }

    @AfterEach
    void close() {
        if (cut.calls != null) {
            TestStores.stop(cut.calls);
        }
        TestStores.close(store);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aQueuedMessageIsPushedOnceAndAnAckedOneNever(String database) throws Exception {
        open(database);
        HistoryEvent queued = message(id(), "alice", "bob");
        HistoryEvent acked = message(id(), "alice", "carol");
        store.apply(List.of(queued, acked, delivered(acked, "carol")));

        Optional<Push> push = cut.claim("bob", queued.messageId(), 80).pushed();
        assertThat(push).hasValueSatisfying(p -> {
            assertThat(p.messageId()).isEqualTo(queued.messageId());
            assertThat(p.senderId()).isEqualTo("alice");
            assertThat(p.senderRole()).isEqualTo("tenant");
            assertThat(p.sentAt()).isEqualTo("2026-11-30T12:00:00Z");
            assertThat(p.preview()).isEqualTo(queued.message());
            assertThat(p.count()).isEqualTo(1);
        });
        assertThat(cut.claim("bob", queued.messageId(), 80).pushed()).as("claimed once").isEmpty();
        assertThat(cut.claim("carol", acked.messageId(), 80).pushed()).as("acked").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void messagesWhileAwayMakeOnePushOfTheNewestWithTheirCount(String database) throws Exception {
        open(database);
        HistoryEvent first = message(id(), "alice", "bob");
        HistoryEvent acked = message(id(), "dave", "bob");
        HistoryEvent second = message(id(), "dave", "bob");
        HistoryEvent third = message(id(), "alice", "bob");
        store.apply(List.of(first, acked, delivered(acked, "bob"), second, third));

        assertThat(cut.claim("bob", first.messageId(), 0).pushed()).hasValueSatisfying(p -> {
            assertThat(p.messageId()).isEqualTo(third.messageId());
            assertThat(p.count()).isEqualTo(3);
            assertThat(p.preview()).isNull();
        });
        assertThat(cut.claim("bob", second.messageId(), 0).pushed()).isEmpty();
        assertThat(cut.claim("bob", third.messageId(), 0).pushed()).isEmpty();

        HistoryEvent later = message(id(), "alice", "bob");
        store.apply(List.of(later));
        assertThat(cut.claim("bob", later.messageId(), 0).pushed()).as("only what came after the last push")
                .hasValueSatisfying(p -> assertThat(p.count()).isEqualTo(1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aUserWhoTurnedPushOffGetsNone(String database) throws Exception {
        open(database);
        assertThat(cut.enabled("bob")).isTrue();
        cut.enable("bob", false);
        assertThat(cut.enabled("bob")).isFalse();
        HistoryEvent queued = message(id(), "alice", "bob");
        store.apply(List.of(queued));
        assertThat(cut.claim("bob", queued.messageId(), 80).pushed()).isEmpty();

        cut.enableLater("bob", true).get();
        assertThat(cut.enabledLater("bob").get()).isTrue();
        assertThat(cut.claim("bob", queued.messageId(), 80).pushed()).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2"})
    void aMessageTheStoreHasNotWrittenIsNotPushed(String database) throws Exception {
        open(database);
        assertThat(cut.claim("bob", id(), 80).notWritten()).isTrue();
    }
}
