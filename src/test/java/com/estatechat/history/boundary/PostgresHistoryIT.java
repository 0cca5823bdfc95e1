package com.estatechat.history.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.PostgresStore;
import com.estatechat.support.UserDirectoryClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The conversation store on a real PostgreSQL, set up the way an operator does on Payara (see
 * {@link PostgresStore}). Each message,
 * delivery and read lands in the database once, and the sender gets {@code queued},
 * {@code delivered} and {@code read} receipts.
 */
class PostgresHistoryIT {

    private static PostgresStore store;
    private static PayaraMicroProcess server;
    private static URI root;

    @BeforeAll
    static void start() {
        store = new PostgresStore();
        server = new PayaraMicroProcess(Deployments.chat("history-pg", store.settings()))
                .withOptions(store.payaraOptions());
        root = server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        if (store != null) {
            store.close();
        }
    }

    private static List<String> rows(String messageId) {
        return store.rows(messageId);
    }

    @Test
    void messagesDeliveriesAndReadsAreRecordedOnceAndTheSenderGetsEveryReceiptAlsoWhenOffline() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient b = ChatClient.connect(root, bob); ChatClient a = ChatClient.connect(root, alice)) {
            a.sendMessage(bob, "first", "c-1");
            String first = a.next("receipt").getString("message_id");
            a.sendMessage(bob, "second", "c-2");
            String second = a.next("receipt").getString("message_id");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(rows(first)).containsExactly(bob + " 1 first false false");
                assertThat(rows(second)).containsExactly(bob + " 1 second false false");
            });

            assertThat(b.receiveAndAck().getString("message_id")).isEqualTo(first);
            assertThat(b.receiveAndAck().getString("message_id")).isEqualTo(second);
            assertThat(a.next(frame -> "delivered".equals(frame.getString("status", null))).getString("message_id"))
                    .isEqualTo(first);
            assertThat(a.next(frame -> "delivered".equals(frame.getString("status", null))).getString("message_id"))
                    .isEqualTo(second);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(rows(second)).containsExactly(bob + " 2 second true false"));

            // reading the second reads the first too; the sender is told about the one named
            b.send(Json.createObjectBuilder().add("type", "read").add("message_id", second).build());
            JsonObject read = a.next(frame -> "read".equals(frame.getString("status", null)));
            assertThat(read.getString("message_id")).isEqualTo(second);
            assertThat(read.getString("target_id")).isEqualTo(bob);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(rows(first)).containsExactly(bob + " 3 first true true");
                assertThat(rows(second)).containsExactly(bob + " 3 second true true");
            });
        }
        // the sender is offline when the recipient reads: the read receipt waits in its inbox
        String third;
        try (ChatClient a = ChatClient.connect(root, alice)) {
            a.sendMessage(bob, "third", null);
            third = a.next("receipt").getString("message_id");
        }
        try (ChatClient b = ChatClient.connect(root, bob)) {
            assertThat(b.receiveAndAck().getString("message_id")).isEqualTo(third);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(rows(third)).containsExactly(bob + " 2 third true false"));
            b.send(Json.createObjectBuilder().add("type", "read").add("message_id", third).build());
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(rows(third)).containsExactly(bob + " 3 third true true"));
        }
        try (ChatClient a = ChatClient.connect(root, alice)) {
            JsonObject read = a.next(frame -> "read".equals(frame.getString("status", null)));
            assertThat(read.getString("message_id")).isEqualTo(third);
            // a read of a message this user never received is refused by name
            a.send(Json.createObjectBuilder().add("type", "read").add("message_id", third).build());
            JsonObject refused = a.next("error");
            assertThat(refused.getString("code")).isEqualTo("unknown_message");
            assertThat(refused.getString("message_id")).isEqualTo(third);
        }
    }

    @Test
    void removingAUserDeletesWhatItSentAndReceived() throws Exception {
        String carol = user("carol");
        String dave = user("dave");
        String erin = user("erin");
        String toDave;
        String toCarol;
        String fromErin;
        try (ChatClient c = ChatClient.connect(root, carol); ChatClient d = ChatClient.connect(root, dave);
                ChatClient e = ChatClient.connect(root, erin)) {
            c.sendMessage(dave, "to dave", null);
            toDave = c.next("receipt").getString("message_id");
            d.sendMessage(carol, "to carol", null);
            toCarol = d.next("receipt").getString("message_id");
            e.sendMessage(carol, "from erin", null);
            fromErin = e.next("receipt").getString("message_id");
        }
        String[] all = {toDave, toCarol, fromErin};
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (String id : all) {
                assertThat(rows(id)).hasSize(1);
            }
        });
        assertThat(UserDirectoryClient.delete(root, dave, Map.of("id", "test-admin", "role", "admin")).statusCode())
                .isEqualTo(204);
        assertThat(rows(toDave)).isEmpty();
        assertThat(rows(toCarol)).isEmpty();
        assertThat(rows(fromErin)).as("others' conversations stay").hasSize(1);
    }
}
