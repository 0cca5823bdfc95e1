package com.estatechat.history.control;

import static com.estatechat.history.control.TestStores.delivered;
import static com.estatechat.history.control.TestStores.id;
import static com.estatechat.history.control.TestStores.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.history.entity.HistoryEvent;
import com.estatechat.history.entity.MessageStatus;
import com.estatechat.history.entity.StoredMessage;
import java.io.File;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The store's SQL on both databases it runs on: the embedded H2 (PostgreSQL mode) and a real
 * PostgreSQL (127.0.0.1:5432, as {@code .ci/run} starts it). Events applied twice, out of order or
 * in one batch change nothing more than once; statuses only move forward.
 */
class ConversationStoreTest {

    private ConversationStore store;

    @AfterEach
    void close() {
        TestStores.close(store);
    }

    private ConversationStore open(String database) {
        store = TestStores.open(database);
        return store;
    }

    private List<StoredMessage> rows(String messageId) throws StoreUnavailable {
        return store.read(em -> em.createQuery("SELECT m FROM StoredMessage m WHERE m.messageId = :id"
                + " ORDER BY m.recipientId", StoredMessage.class).setParameter("id", messageId).getResultList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void eventsAppliedTwiceOrOutOfOrderAreRecordedOnce(String database) throws Exception {
        open(database);
        HistoryEvent first = message(id(), "alice", "bob");
        HistoryEvent second = message(id(), "alice", "bob");
        // the delivered event comes before its message event (another lane), and everything comes twice
        store.apply(List.of(delivered(second, "bob"), first, first));
        store.apply(List.of(second, delivered(second, "bob"), first));

        assertThat(rows(first.messageId())).singleElement().satisfies(row -> {
            assertThat(row.recipientId()).isEqualTo("bob");
            assertThat(row.body()).isEqualTo(first.message());
            assertThat(row.status()).isEqualTo(MessageStatus.QUEUED);
        });
        assertThat(rows(second.messageId())).singleElement().satisfies(row -> {
            assertThat(row.status()).isEqualTo(MessageStatus.DELIVERED);
            assertThat(row.deliveredAt()).isNotNull();
            assertThat(row.clientMsgId()).isEqualTo(second.clientMsgId());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aReadMarksThatMessageAndEveryEarlierOneFromThatSenderAndNeverGoesBack(String database) throws Exception {
        open(database);
        HistoryEvent one = message(id(), "alice", "bob");
        HistoryEvent two = message(id(), "alice", "bob");
        HistoryEvent three = message(id(), "alice", "bob");
        HistoryEvent fromCarol = message(id(), "carol", "bob");
        store.apply(List.of(one, two, three, fromCarol));

        store.apply(List.of(HistoryEvent.read("bob", "alice", two.messageId(), "2026-11-30T12:01:00Z"),
                delivered(one, "bob"))); // a late delivered does not take a read back

        assertThat(rows(one.messageId()).get(0).status()).isEqualTo(MessageStatus.READ);
        assertThat(rows(two.messageId()).get(0).status()).isEqualTo(MessageStatus.READ);
        assertThat(rows(two.messageId()).get(0).deliveredAt()).as("read implies delivered").isNotNull();
        assertThat(rows(three.messageId()).get(0).status()).isEqualTo(MessageStatus.QUEUED);
        assertThat(rows(fromCarol.messageId()).get(0).status()).isEqualTo(MessageStatus.QUEUED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void aBroadcastIsRecordedForItsRoleAndForEachRecipientThatGotIt(String database) throws Exception {
        open(database);
        HistoryEvent broadcast = HistoryEvent.message(id(), "admin-1", "admin", "role:tenant", "water off at 10",
                null, "2026-11-30T12:00:00Z");
        store.apply(List.of(broadcast, delivered(broadcast, "t1"), delivered(broadcast, "t2")));
        store.apply(List.of(HistoryEvent.read("t2", "admin-1", broadcast.messageId(), "2026-11-30T12:02:00Z")));

        assertThat(rows(broadcast.messageId())).extracting(StoredMessage::recipientId, StoredMessage::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("role:tenant", MessageStatus.READ),
                        org.assertj.core.groups.Tuple.tuple("t1", MessageStatus.DELIVERED),
                        org.assertj.core.groups.Tuple.tuple("t2", MessageStatus.READ));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void retentionDeletesWhatWasSentBeforeTheCutoffAndErasureEverythingOfOneUser(String database) throws Exception {
        open(database);
        HistoryEvent old = HistoryEvent.message(id(), "alice", "tenant", "bob", "old", null, "2025-01-01T00:00:00Z");
        HistoryEvent recent = message(id(), "alice", "bob");
        HistoryEvent toCarol = message(id(), "carol", "dave");
        store.apply(List.of(old, recent, toCarol, message(id(), "bob", "carol")));

        assertThat(store.deleteSentBefore(java.time.Instant.parse("2026-01-01T00:00:00Z"))).isEqualTo(1);
        assertThat(rows(old.messageId())).isEmpty();
        assertThat(rows(recent.messageId())).hasSize(1);

        assertThat(store.erase("bob")).as("what bob received and what he sent").isEqualTo(2);
        assertThat(rows(recent.messageId())).isEmpty();
        assertThat(rows(toCarol.messageId())).hasSize(1);
    }

    /**
     * Issue 22, item 5: what bob sent that still waited in an inbox when he was erased comes to the
     * writer later (its {@code delivered} event carries the body), and so do events about what he
     * received; none of it is written back. What a user of the same id sends after the erasure is.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void eventsOfMessagesSentBeforeAnErasureAreNotWrittenBack(String database) throws Exception {
        open(database);
        HistoryEvent toAlice = message(id(), "bob", "alice");
        HistoryEvent toBob = message(id(), "carol", "bob");
        HistoryEvent broadcast = HistoryEvent.message(id(), "bob", "admin", "role:tenant", "to all", null,
                "2026-11-30T12:00:00Z");
        HistoryEvent others = message(id(), "carol", "dave");
        store.apply(List.of(toAlice));

        store.erase("bob");
        store.apply(List.of(delivered(toAlice, "alice"), toAlice, toBob, delivered(toBob, "bob"), broadcast,
                delivered(broadcast, "alice"), others));

        assertThat(rows(toAlice.messageId())).as("bob's message alice acked after the erasure").isEmpty();
        assertThat(rows(toBob.messageId())).as("carol's message to bob").isEmpty();
        assertThat(rows(broadcast.messageId())).as("bob's broadcast").isEmpty();
        assertThat(rows(others.messageId())).hasSize(1);
        HistoryEvent later = HistoryEvent.message(id(), "bob", "tenant", "alice", "a new bob", null,
                java.time.Instant.now().plusSeconds(1).toString());
        store.apply(List.of(later, delivered(later, "alice")));
        assertThat(rows(later.messageId())).as("sent after the erasure").hasSize(1);
    }

    /**
     * The write guard: an erasure that comes while a batch is writing one of bob's messages waits
     * for that batch to commit, then deletes what it wrote. Under read committed, without the
     * guard, the delete does not see the batch's uncommitted row, and the row stays.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgresql"})
    void anErasureWaitsForTheBatchInProgressAndDeletesWhatItWrote(String database) throws Exception {
        open(database);
        String fromBob = id();
        CompletableFuture<Integer> erasure;
        try (Connection batch = store.dataSource.getConnection()) {
            batch.setAutoCommit(false);
            try (Statement statement = batch.createStatement()) {
                statement.executeQuery("SELECT id FROM chat_write_guard WHERE id = 1 FOR UPDATE").close();
                statement.executeUpdate("INSERT INTO chat_message (message_id, recipient_id, sender_id, sender_role,"
                        + " target_id, body, sent_at, status) VALUES ('" + fromBob + "', 'alice', 'bob', 'tenant',"
                        + " 'alice', 'hello', CURRENT_TIMESTAMP, 1)");
            }
            erasure = CompletableFuture.supplyAsync(() -> {
                try {
                    return store.erase("bob");
                } catch (StoreUnavailable e) {
                    throw new CompletionException(e);
                }
            });
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !erasure.isDone());
            batch.commit();
        }

        assertThat(erasure.get(10, TimeUnit.SECONDS)).as("rows erased").isEqualTo(1);
        assertThat(rows(fromBob)).isEmpty();
    }

    /** docs/design.md: no callback under a lock; an observer that waited for the store would deadlock. */
    @Test
    void storeOpenedIsFiredOnceTheStoreIsOpenAndOutsideItsLock() {
        List<String> seen = new java.util.ArrayList<>();
        store = TestStores.create("h2");
        store.opened = new TestStores.Observed(opened -> seen.add(
                "ready=" + store.isReady() + " locked=" + Thread.holdsLock(store)));

        store.start(null);
        store.start(null); // already open: nothing more is fired

        assertThat(seen).containsExactly("ready=true locked=false");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2"})
    void theEmbeddedStoreKeepsItsDataAcrossRestarts(String database) throws Exception {
        open(database);
        HistoryEvent kept = message(id(), "alice", "bob");
        store.apply(List.of(kept));
        String path = store.settings.embeddedPath().toString();
        store.close();
        store.dataSources.close();

        HistorySettings settings = store.settings;
        StoreDataSource reopened = new StoreDataSource();
        reopened.settings = settings;
        store = new ConversationStore();
        store.settings = settings;
        store.dataSources = reopened;
        store.start(null);
        assertThat(settings.embeddedPath().toString()).isEqualTo(path);
        assertThat(rows(kept.messageId())).hasSize(1);
        assertThat(Map.of("db", new File(path + ".mv.db").exists())).containsEntry("db", true);
    }
}
