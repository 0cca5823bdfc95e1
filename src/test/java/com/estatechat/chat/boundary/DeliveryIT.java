package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.UserDirectoryClient;
import com.estatechat.support.RawWebSocket;
import com.estatechat.support.ServerMetrics;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Durable delivery end to end: the WAR on Payara Micro, a real RabbitMQ, WebSocket clients. */
@ExtendWith(ArquillianExtension.class)
class DeliveryIT {

    /** The inboxes' names start with this: the tests look at some of them in the broker. */
    static final String INBOXES = "test.delivery." + java.util.UUID.randomUUID().toString().substring(0, 8) + ".inbox.";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("delivery", Map.of("chat.rate-limit.burst", "1000", "chat.rate-limit.per-second", "1000",
                "chat.amqp.inbox-prefix", INBOXES));
    }

    @ArquillianResource
    URL base;

    private URI base() throws Exception {
        return Deployments.root(base, "delivery");
    }

    @Test
    void liveMessageArrivesWithAllFieldsAndSenderGetsQueuedThenDelivered() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice, "landlord"); ChatClient b = ChatClient.connect(base(), bob)) {
            Instant before = Instant.now();
            a.sendMessage(bob, "The boiler is fixed", "c-1");

            JsonObject queued = a.next("receipt");
            assertThat(queued.getString("status")).isEqualTo("queued");
            assertThat(queued.getString("client_msg_id")).isEqualTo("c-1");
            assertThat(queued.getString("target_id")).isEqualTo(bob);
            String messageId = queued.getString("message_id");

            JsonObject message = b.next("message");
            assertThat(message.getString("message_id")).isEqualTo(messageId);
            assertThat(message.getString("sender_id")).isEqualTo(alice);
            assertThat(message.getString("sender_role")).isEqualTo("landlord");
            assertThat(message.getString("target_id")).isEqualTo(bob);
            assertThat(message.getString("message")).isEqualTo("The boiler is fixed");
            assertThat(message.getBoolean("redelivered")).isFalse();
            assertThat(Instant.parse(message.getString("sent_at"))).isBetween(before.minusSeconds(5),
                    Instant.now().plusSeconds(5));

            b.ack(messageId);
            JsonObject delivered = a.next("receipt");
            assertThat(delivered.getString("status")).isEqualTo("delivered");
            assertThat(delivered.getString("message_id")).isEqualTo(messageId);
            assertThat(delivered.getString("client_msg_id")).isEqualTo("c-1");
            assertThat(delivered.getString("target_id")).isEqualTo(bob);
            assertThat(delivered.getString("at")).isNotBlank();
        }
    }

    @Test
    void offlineRecipientGetsAllMissedMessagesInOrderAndOfflineSenderGetsReceiptsLater() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        UserDirectoryClient.provision(base(), bob, "tenant"); // known before its first connection
        List<String> accepted = new ArrayList<>();
        try (ChatClient a = ChatClient.connect(base(), alice)) {
            for (int i = 0; i < 50; i++) {
                a.sendMessage(bob, "message " + i, "m" + i);
            }
            for (int i = 0; i < 50; i++) {
                JsonObject receipt = a.next("receipt");
                assertThat(receipt.getString("status")).isEqualTo("queued");
                assertThat(receipt.getString("client_msg_id")).isEqualTo("m" + i);
                accepted.add(receipt.getString("message_id"));
            }
        }
        assertThat(accepted).isSorted().doesNotHaveDuplicates();

        try (ChatClient b = ChatClient.connect(base(), bob)) {
            for (int i = 0; i < 50; i++) {
                JsonObject message = b.receiveAndAck();
                assertThat(message.getString("message")).isEqualTo("message " + i);
                assertThat(message.getString("message_id")).isEqualTo(accepted.get(i));
            }
        }

        try (ChatClient a = ChatClient.connect(base(), alice)) {
            Set<String> delivered = new HashSet<>();
            for (int i = 0; i < 50; i++) {
                JsonObject receipt = a.next("receipt");
                assertThat(receipt.getString("status")).isEqualTo("delivered");
                delivered.add(receipt.getString("message_id"));
            }
            assertThat(delivered).containsExactlyInAnyOrderElementsOf(accepted);
        }
    }

    /**
     * Receipts to one sender that come close together travel in one broker message, at most
     * {@code chat.delivery.max-receipts-per-message} (5 by default) in each: bob acks twenty
     * messages at once while alice is away, and her inbox holds fewer broker messages than
     * receipts. She still gets each {@code delivered} receipt once, and none again after she
     * proved she read them.
     */
    @Test
    void receiptsThatComeTogetherTravelTogetherAndEachArrivesOnce() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        UserDirectoryClient.provision(base(), bob, "tenant");
        List<String> accepted = sendAndLeave(alice, bob, "together", 20);
        try (ChatClient b = ChatClient.connect(base(), bob)) {
            List<String> received = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                received.add(b.next("message").getString("message_id"));
            }
            received.forEach(b::ack);
            // an ack reaches the broker only once its receipt was confirmed: then all receipts are in alice's inbox
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> inboxDepth(bob) == 0);
        }
        assertThat(inboxDepth(alice)).as("broker messages holding alice's 20 receipts").isBetween(4L, 19L);

        try (ChatClient a = ChatClient.connect(base(), alice)) {
            List<String> delivered = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                JsonObject receipt = a.next("receipt");
                assertThat(receipt.getString("status")).isEqualTo("delivered");
                assertThat(receipt.getString("target_id")).isEqualTo(bob);
                delivered.add(receipt.getString("message_id"));
            }
            assertThat(delivered).containsExactlyInAnyOrderElementsOf(accepted);
            // read once the client answered a ping sent after them: then the inbox lets them go
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> inboxDepth(alice) == 0);
        }
    }

    /** {@code sender} sends {@code count} messages to {@code recipient} and leaves once all are {@code queued}: their ids. */
    private List<String> sendAndLeave(String sender, String recipient, String text, int count) throws Exception {
        List<String> accepted = new ArrayList<>();
        try (ChatClient a = ChatClient.connect(base(), sender)) {
            for (int i = 0; i < count; i++) {
                a.sendMessage(recipient, text + " " + i, null);
            }
            for (int i = 0; i < count; i++) {
                accepted.add(a.next("receipt").getString("message_id"));
            }
        }
        return accepted;
    }

    /** Messages in the user's inbox, ready or delivered and not yet acked. */
    private static long inboxDepth(String userId) {
        return com.estatechat.support.RabbitMqNode.list("list_queues", "name", "messages").stream()
                .map(line -> line.trim().split("\\s+"))
                .filter(columns -> columns.length == 2 && columns[0].equals(INBOXES + userId))
                .mapToLong(columns -> Long.parseLong(columns[1])).findFirst()
                .orElseThrow(() -> new AssertionError("the broker has no inbox for " + userId));
    }

    @Test
    void unackedMessagesComeAgainAsRedeliveredAndNeverAfterTheAck() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        UserDirectoryClient.provision(base(), bob, "tenant"); // known before its first connection
        List<String> ids = new ArrayList<>();
        try (ChatClient a = ChatClient.connect(base(), alice)) {
            for (int i = 0; i < 3; i++) {
                a.sendMessage(bob, "unacked " + i, null);
                ids.add(a.next("receipt").getString("message_id"));
            }
        }
        try (ChatClient b = ChatClient.connect(base(), bob)) {
            for (int i = 0; i < 3; i++) {
                JsonObject message = b.next("message");
                assertThat(message.getString("message_id")).isEqualTo(ids.get(i));
                assertThat(message.getBoolean("redelivered")).isFalse();
            }
        }
        try (ChatClient b = ChatClient.connect(base(), bob)) {
            for (int i = 0; i < 3; i++) {
                JsonObject message = b.receiveAndAck();
                assertThat(message.getString("message_id")).isEqualTo(ids.get(i));
                assertThat(message.getBoolean("redelivered")).isTrue();
            }
        }
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            // a marker sent now must be the first thing bob sees: nothing acked came back before it
            a.sendMessage(bob, "marker", null);
            JsonObject first = b.next("message");
            assertThat(first.getString("message")).isEqualTo("marker");
            assertThat(first.getBoolean("redelivered")).isFalse();
        }
    }

    /**
     * Users' consumers share channels ({@code chat.amqp.consumers-per-channel}) and acks are
     * coalesced into {@code multiple=true} acks: one user's acks must never settle another user's
     * delivery on the same channel, and a user who leaves gets back what it left unacked although
     * the channel stays open for the others.
     */
    @Test
    void oneUsersAcksNeverSettleAnotherUsersDeliveryOnTheirSharedChannel() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        String held;
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            try (ChatClient c = ChatClient.connect(base(), carol)) {
                a.sendMessage(carol, "left unacked", null);
                held = a.next("receipt").getString("message_id");
                assertThat(c.next("message").getString("message_id")).isEqualTo(held);
                // carol's delivery now has the lowest unsettled tag; bob's come after it and are acked
                for (int i = 0; i < 20; i++) {
                    a.sendMessage(bob, "acked " + i, null);
                    assertThat(a.next("receipt").getString("status")).isEqualTo("queued");
                    b.receiveAndAck();
                    assertThat(a.next("receipt").getString("status")).isEqualTo("delivered");
                }
            }
            try (ChatClient c = ChatClient.connect(base(), carol)) {
                JsonObject again = c.receiveAndAck();
                assertThat(again.getString("message_id")).isEqualTo(held);
                assertThat(again.getBoolean("redelivered")).isTrue();
            }
        }
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob);
                ChatClient c = ChatClient.connect(base(), carol)) {
            // a marker sent now must be the first thing each sees: nothing acked came back before it
            a.sendMessage(bob, "marker", null);
            assertThat(b.next("message").getString("message")).isEqualTo("marker");
            a.sendMessage(carol, "marker", null);
            assertThat(c.next("message").getString("message")).isEqualTo("marker");
        }
    }

    /**
     * Messages waiting in the inbox start to arrive as soon as the consumer starts, before the
     * connection is greeted; they were then sent to it as if another connection had had them
     * ({@code redelivered: true}): the flake of {@code unackedMessagesComeAgain...} on CI.
     */
    @Test
    void messagesWaitingWhenTheRecipientConnectsArriveAsFirstDeliveries() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        UserDirectoryClient.provision(base(), bob, "tenant"); // known before its first connection
        List<String> ids = sendAndLeave(alice, bob, "waiting", 100);
        try (ChatClient b = ChatClient.connect(base(), bob)) {
            for (int i = 0; i < 100; i++) {
                JsonObject message = b.next("message");
                assertThat(message.getString("message_id")).isEqualTo(ids.get(i));
                assertThat(message.getBoolean("redelivered")).as("message %d was never delivered before", i).isFalse();
            }
        }
    }

    @Test
    void everySessionOfARecipientReceivesAndOneAckSettles() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice);
                ChatClient phone = ChatClient.connect(base(), bob);
                ChatClient laptop = ChatClient.connect(base(), bob)) {
            a.sendMessage(bob, "to both", "x");
            String id = a.next("receipt").getString("message_id");
            assertThat(phone.next("message").getString("message_id")).isEqualTo(id);
            assertThat(laptop.next("message").getString("message_id")).isEqualTo(id);

            phone.ack(id);
            JsonObject delivered = a.next("receipt");
            assertThat(delivered.getString("status")).isEqualTo("delivered");
            laptop.ack(id); // settled already: not answered (docs/protocol.md, an ack is idempotent)
            String never = "01a2142a-7518-70a3-b309-f063dd4f40e4";
            laptop.ack(never);
            JsonObject error = laptop.next("error");
            assertThat(error.getString("code")).isEqualTo("unknown_message");
            assertThat(error.getString("message_id")).as("the first answer is to the ack of a message never delivered")
                    .isEqualTo(never);
        }
    }

    /** Found by FlappingClientsChaosIT: a reconnect before the server saw the old socket go got it as new. */
    @Test
    void aSessionOpenedWhileAMessageIsUnackedGetsItMarkedRedelivered() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient phone = ChatClient.connect(base(), bob)) {
            a.sendMessage(bob, "seen on the phone", null);
            JsonObject first = phone.next("message");
            assertThat(first.getBoolean("redelivered")).isFalse();
            try (ChatClient laptop = ChatClient.connect(base(), bob)) {
                JsonObject again = laptop.next("message");
                assertThat(again.getString("message_id")).isEqualTo(first.getString("message_id"));
                assertThat(again.getString("message")).isEqualTo("seen on the phone");
                assertThat(again.getBoolean("redelivered")).as("the user may have seen it on the phone").isTrue();
                laptop.ack(again.getString("message_id"));
                assertThat(a.next(f -> "delivered".equals(f.getString("status", null))).getString("message_id"))
                        .isEqualTo(first.getString("message_id"));
            }
        }
    }

    /**
     * Found by FlappingClientsChaosIT: a receipt written into the socket of a sender that never
     * read it was settled and lost. Now it counts only once the client answered a ping sent after it.
     */
    @Test
    void aReceiptTheSenderNeverProvedToHaveReadComesAgain() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        String messageId;
        try (RawWebSocket a = RawWebSocket.connect(ChatClient.uri(base(), alice, null));
                ChatClient b = ChatClient.connect(base(), bob)) {
            a.ignorePings();
            assertThat(a.nextText()).contains("\"connected\"");
            a.sendText("{\"target_id\":\"" + bob + "\",\"message\":\"read me\",\"sender_id\":\"" + alice + "\"}");
            assertThat(a.nextText()).contains("\"queued\"");
            messageId = b.receiveAndAck().getString("message_id");
            String delivered = a.nextText();
            assertThat(delivered).contains("\"delivered\"").contains(messageId);
            a.abort(); // written, even read, but the server never got the pong that proves it
        }
        try (ChatClient again = ChatClient.connect(base(), alice)) {
            JsonObject receipt = again.next("receipt");
            assertThat(receipt.getString("status")).isEqualTo("delivered");
            assertThat(receipt.getString("message_id")).isEqualTo(messageId);
        }
    }

    @Test
    void metricsCountWhatHappened() throws Exception {
        Map<String, Double> before = metrics();
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            assertThat(metrics().get("chat_sessions_open")).isGreaterThanOrEqualTo(2.0);
            a.sendMessage(bob, "counted", null);
            String id = a.next("receipt").getString("message_id");
            b.receiveAndAck();
            a.next(f -> "delivered".equals(f.getString("status", null)) && id.equals(f.getString("message_id")));
            a.sendRaw("not json");
            assertThat(a.next("error").getString("code")).isEqualTo("bad_json");
        }
        // the sender's receipt can come before the broker's confirm of it, which the count waits for
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Double> after = metrics();
            assertThat(after.get("chat_messages_accepted_total") - before.get("chat_messages_accepted_total")).isEqualTo(1.0);
            assertThat(after.get("chat_messages_delivered_total") - before.get("chat_messages_delivered_total")).isEqualTo(1.0);
            assertThat(after.get("chat_errors_total{code=\"bad_json\"}") - before.get("chat_errors_total{code=\"bad_json\"}"))
                    .isEqualTo(1.0);
            assertThat(after.get("chat_publish_confirm_seconds_count")).isGreaterThan(before.get("chat_publish_confirm_seconds_count"));
        });
    }

    /**
     * A message's status only moves forward ({@code queued} → {@code delivered}): the recipient's
     * ack may reach the broker, and its {@code delivered} receipt the sender's inbox, before the
     * broker's confirm of the message itself reaches the server. A busy inbox writes to disk in
     * batches, and a persistent message is confirmed once written (carol keeps bob's inbox busy
     * here); a client that acks on arrival (Paho does: the flake of
     * {@code MqttIT.aUserOnWebSocketAndOnMqttAtOnce...} on CI) then answers before the confirm.
     * The sender must still hear {@code queued} first.
     */
    @Test
    void theSenderHearsQueuedBeforeDeliveredEvenWhenTheRecipientAcksAtOnce() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        int count = 50;
        int flood = 300;
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob);
                ChatClient c = ChatClient.connect(base(), carol)) {
            CompletableFuture<Void> acking = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < count + flood; i++) {
                    b.receiveAndAck();
                }
            });
            CompletableFuture<Void> flooding = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < flood; i++) {
                    String id = "f-" + i;
                    c.sendMessage(bob, "keeping the inbox busy " + i, id);
                    // one in flight, so the inbox never empties for long: the answer to this send, not
                    // any receipt (a delivered one of an earlier send let carol run ahead into the rate
                    // limit, and bob then waited for messages that were refused)
                    JsonObject answer = c.next(frame -> id.equals(frame.getString("client_msg_id", null))
                            && ("error".equals(frame.getString("type")) || "queued".equals(frame.getString("status", null))));
                    assertThat(answer.getString("type")).as("the answer to %s: %s", id, answer).isEqualTo("receipt");
                }
            });
            List<String> outOfOrder = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                a.sendMessage(bob, "ack me at once " + i, "q-" + i);
                JsonObject first = a.next("receipt");
                JsonObject second = a.next("receipt");
                assertThat(second.getString("message_id")).isEqualTo(first.getString("message_id"));
                if (!"queued".equals(first.getString("status")) || !"delivered".equals(second.getString("status"))) {
                    outOfOrder.add(first.getString("message_id") + ": " + first.getString("status") + ", "
                            + second.getString("status"));
                }
            }
            flooding.get(60, TimeUnit.SECONDS);
            acking.get(60, TimeUnit.SECONDS);
            assertThat(outOfOrder).as("receipts out of order").isEmpty();
        }
    }

    private Map<String, Double> metrics() throws Exception {
        return ServerMetrics.read(base());
    }

    @Test
    void ordersArePreservedBetweenTwoUsersInBothDirections() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            for (int i = 0; i < 20; i++) {
                a.sendMessage(bob, "a" + i, null);
                b.sendMessage(alice, "b" + i, null);
            }
            for (int i = 0; i < 20; i++) {
                assertThat(b.receiveAndAck().getString("message")).isEqualTo("a" + i);
                assertThat(a.receiveAndAck().getString("message")).isEqualTo("b" + i);
            }
        }
    }
}
