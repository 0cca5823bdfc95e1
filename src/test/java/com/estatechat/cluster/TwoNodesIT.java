package com.estatechat.cluster;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Two Payara Micro nodes on their own ports share one RabbitMQ, behind no routing rule. Users on
 * different nodes chat with the same receipts as on one, a user on both gets it on both;
 * a node stopped with messages in flight loses none: its user reconnects to the other node and
 * gets them there, and the sender there gets the {@code delivered} receipts.
 */
class TwoNodesIT {

    @Test
    void usersOnTwoNodesChatAndANodeStoppedMidStreamLosesNothing() {
        WebArchive app = Deployments.chat("cluster", Map.of(
                "chat.rate-limit.per-second", "1000", "chat.rate-limit.burst", "1000"));
        String alice = user("alice");
        String bob = user("bob");
        try (PayaraMicroProcess node1 = new PayaraMicroProcess(app, "node1");
                PayaraMicroProcess node2 = new PayaraMicroProcess(app, "node2")) {
            URI one = node1.start();
            URI two = node2.start();
            assertThat(one.getPort()).isNotEqualTo(two.getPort());

            // alice on node 1, bob on node 2: both ways, with both receipts
            try (ChatClient a = ChatClient.connect(one, alice); ChatClient b = ChatClient.connect(two, bob)) {
                exchange(a, b, "from node 1 to node 2");
                exchange(b, a, "from node 2 to node 1");
                // alice on both nodes too (no routing rule): both her connections get it, one ack settles it
                try (ChatClient other = ChatClient.connect(two, alice)) {
                    b.sendMessage(alice, "to both of alice's devices", null);
                    String id = b.next("receipt").getString("message_id");
                    assertThat(a.next("message").getString("message_id")).isEqualTo(id);
                    assertThat(other.next("message").getString("message_id")).isEqualTo(id);
                    other.ack(id);
                    JsonObject delivered = b.next("receipt");
                    assertThat(delivered.getString("status")).isEqualTo("delivered");
                    assertThat(delivered.getString("message_id")).isEqualTo(id);
                }
            }

            // bob on node 1 holds unacked messages while alice (node 2) sends a burst; node 1 stops
            List<String> queued = new ArrayList<>();
            Set<String> heldUnacked = new HashSet<>();
            try (ChatClient a = ChatClient.connect(two, alice); ChatClient b = ChatClient.connect(one, bob)) {
                for (int i = 0; i < 10; i++) {
                    a.sendMessage(bob, "held " + i, null);
                    queued.add(a.next("receipt").getString("message_id"));
                    heldUnacked.add(b.next("message").getString("message_id"));
                }
                for (int i = 0; i < 200; i++) {
                    a.sendMessage(bob, "burst " + i, null);
                }
                CompletableFuture<Void> stopping = CompletableFuture.runAsync(node1::stop);
                assertThat(b.awaitClosed().code()).as("node 1 closes its sessions going away").isEqualTo(1001);
                stopping.join();
                for (int i = 0; i < 200; i++) {
                    JsonObject answer = a.next(f -> !"delivered".equals(f.getString("status", null)));
                    assertThat(answer.getString("status", answer.getString("code", "")))
                            .as("node 2 is unaffected by node 1 stopping").isEqualTo("queued");
                    queued.add(answer.getString("message_id"));
                }

                // bob reconnects, to node 2 now: every accepted message arrives, the held ones as redelivered
                Set<String> received = new HashSet<>();
                try (ChatClient b2 = ChatClient.connect(two, bob)) {
                    while (!received.containsAll(queued)) {
                        JsonObject message = b2.receiveAndAck();
                        String id = message.getString("message_id");
                        assertThat(received.add(id)).as("no message comes twice").isTrue();
                        if (heldUnacked.contains(id)) {
                            assertThat(message.getBoolean("redelivered")).as("held on node 1, unacked").isTrue();
                        }
                    }
                }
                Set<String> delivered = new HashSet<>();
                while (!delivered.containsAll(queued)) {
                    delivered.add(a.next(f -> "delivered".equals(f.getString("status", null))).getString("message_id"));
                }
            }
        }
    }

    /** One message from {@code from} to {@code to}: received, acked, and both receipts back at the sender. */
    private static void exchange(ChatClient from, ChatClient to, String text) {
        from.sendMessage(to.userId(), text, "c-" + text.hashCode());
        JsonObject queued = from.next("receipt");
        assertThat(queued.getString("status")).isEqualTo("queued");
        JsonObject message = to.receiveAndAck();
        assertThat(message.getString("message")).isEqualTo(text);
        assertThat(message.getString("sender_id")).isEqualTo(from.userId());
        assertThat(message.getString("message_id")).isEqualTo(queued.getString("message_id"));
        JsonObject delivered = from.next("receipt");
        assertThat(delivered.getString("status")).isEqualTo("delivered");
        assertThat(delivered.getString("message_id")).isEqualTo(queued.getString("message_id"));
        assertThat(delivered.getString("target_id")).isEqualTo(to.userId());
    }
}
