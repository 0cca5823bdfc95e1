package com.estatechat.history.control;

import static com.estatechat.history.control.TestStores.delivered;
import static com.estatechat.history.control.TestStores.id;
import static com.estatechat.history.control.TestStores.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.estatechat.history.entity.Conversation;
import com.estatechat.history.entity.HistoryEvent;
import com.estatechat.history.entity.MessagePage;
import com.estatechat.history.entity.MessageStatus;
import com.estatechat.history.entity.StoredMessage;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The REST API's questions on both databases, over rows the store's own writer put there: a
 * user's conversations with their newest message and unread count, one conversation page by page,
 * and nothing of anyone else's.
 */
class ConversationQueriesTest {

    private ConversationStore store;

    @AfterEach
    void close() {
        TestStores.close(store);
    }

    private static HistoryEvent broadcast(String id, String from, String role) {
        return HistoryEvent.message(id, from, "admin", role, "notice " + id, null, "2026-11-30T12:00:00Z");
    }

    private static HistoryEvent read(String reader, HistoryEvent upTo) {
        return HistoryEvent.read(reader, upTo.senderId(), upTo.messageId(), "2026-11-30T12:05:00Z");
    }

    private List<Conversation> conversations(String viewer, int max) throws StoreUnavailable {
        return store.read(ConversationQueries.conversations(viewer, max));
    }

    private MessagePage messages(String viewer, String peer, String before, int limit) throws StoreUnavailable {
        return store.read(ConversationQueries.messages(viewer, peer, before, limit));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void eachPeerComesOnceWithItsNewestMessageAndUnreadCountNewestConversationFirst(String database)
            throws Exception {
        store = TestStores.open(database);
        HistoryEvent toBob = message(id(), "alice", "bob");
        HistoryEvent fromBob1 = message(id(), "bob", "alice");
        HistoryEvent fromBob2 = message(id(), "bob", "alice");
        HistoryEvent fromBob3 = message(id(), "bob", "alice");
        HistoryEvent fromCarol = message(id(), "carol", "alice");
        HistoryEvent notice = broadcast(id(), "alice", "role:tenant");
        HistoryEvent lastToBob = message(id(), "alice", "bob");
        HistoryEvent elsewhere = message(id(), "bob", "carol");
        store.apply(List.of(toBob, fromBob1, fromBob2, fromBob3, fromCarol, notice, delivered(notice, "bob"),
                lastToBob, delivered(lastToBob, "bob"), elsewhere));
        store.apply(List.of(read("alice", fromBob1)));

        List<Conversation> alices = conversations("alice", 200);

        assertThat(alices).extracting(Conversation::peerId, c -> c.lastMessage().messageId(), Conversation::unread)
                .containsExactly(
                        tuple("bob", lastToBob.messageId(), 2L),
                        tuple("role:tenant", notice.messageId(), 0L),
                        tuple("carol", fromCarol.messageId(), 1L));
        assertThat(alices.get(0).lastMessage().status()).isEqualTo(MessageStatus.DELIVERED);
        assertThat(conversations("alice", 2)).extracting(Conversation::peerId).containsExactly("bob", "role:tenant");

        assertThat(conversations("bob", 200)).extracting(Conversation::peerId, c -> c.lastMessage().messageId(),
                Conversation::unread).containsExactly(
                        tuple("carol", elsewhere.messageId(), 0L),
                        tuple("alice", lastToBob.messageId(), 3L)); // toBob, the notice and lastToBob
        assertThat(conversations("dave", 200)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aConversationComesNewestFirstPageByPageWithBothSidesAndNothingElse(String database) throws Exception {
        store = TestStores.open(database);
        HistoryEvent one = message(id(), "alice", "bob");
        HistoryEvent two = message(id(), "bob", "alice");
        HistoryEvent notAlices = message(id(), "bob", "carol");
        HistoryEvent notice = broadcast(id(), "admin-1", "role:tenant");
        HistoryEvent three = message(id(), "alice", "bob");
        HistoryEvent four = message(id(), "bob", "alice");
        HistoryEvent five = message(id(), "alice", "bob");
        store.apply(List.of(one, two, notAlices, notice, delivered(notice, "alice"), delivered(notice, "bob"), three,
                four, five, delivered(three, "bob")));
        store.apply(List.of(read("bob", three)));

        MessagePage newest = messages("alice", "bob", null, 2);
        assertThat(newest.messages()).extracting(StoredMessage::messageId)
                .containsExactly(five.messageId(), four.messageId());
        assertThat(newest.more()).isTrue();
        MessagePage older = messages("alice", "bob", four.messageId(), 2);
        assertThat(older.messages()).extracting(StoredMessage::messageId, StoredMessage::status)
                .containsExactly(tuple(three.messageId(), MessageStatus.READ), tuple(two.messageId(), MessageStatus.QUEUED));
        assertThat(older.more()).isTrue();
        MessagePage oldest = messages("alice", "bob", two.messageId(), 2);
        assertThat(oldest.messages()).extracting(StoredMessage::messageId).containsExactly(one.messageId());
        assertThat(oldest.more()).isFalse();
        assertThat(messages("alice", "bob", null, 5).more()).as("exactly the limit left").isFalse();

        assertThat(messages("bob", "alice", null, 50).messages()).extracting(StoredMessage::messageId)
                .as("the same conversation from the other side").containsExactly(five.messageId(), four.messageId(),
                        three.messageId(), two.messageId(), one.messageId());
        assertThat(messages("alice", "admin-1", null, 50).messages()).extracting(StoredMessage::messageId,
                StoredMessage::recipientId).as("a broadcast is in each recipient's conversation with its sender")
                .containsExactly(tuple(notice.messageId(), "alice"));
        assertThat(messages("admin-1", "role:tenant", null, 50).messages()).extracting(StoredMessage::recipientId)
                .as("and once in its sender's, with the role").containsExactly("role:tenant");
        assertThat(messages("dave", "bob", null, 50).messages()).isEmpty();
        assertThat(messages("carol", "alice", null, 50).messages()).as("another pair's messages").isEmpty();
    }
}
