package com.estatechat.cluster;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.mqtt.boundary.MqttChatClient;
import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Two Payara Micro nodes on one RabbitMQ behind no routing rule: one user is connected to both
 * (two {@code /ws} devices and one {@code /mqtt}), and its sender sends through both in turn, as a round-robin load balancer would place them.
 * Each device gets every message, the sender one {@code delivered} per message, a device that
 * connects later what no device acked, and when the node holding the user's deliveries dies
 * (SIGKILL) mid-run nothing is lost: what comes twice comes flagged {@code redelivered}.
 */
class RoundRobinIT {

    private static final int N = 200;

    @Test
    void everyDeviceOnEitherNodeGetsEveryMessageAndTheSenderOneDeliveredEach() throws Exception {
        WebArchive app = Deployments.chat("roundrobin", Map.of(
                "chat.rate-limit.per-second", "1000", "chat.rate-limit.burst", "1000"));
        String alice = user("alice");
        String bob = user("bob");
        try (PayaraMicroProcess node1 = new PayaraMicroProcess(app, "rr1");
                PayaraMicroProcess node2 = new PayaraMicroProcess(app, "rr2")) {
            CompletableFuture<URI> starting = CompletableFuture.supplyAsync(node2::start);
            URI one = node1.start();
            URI two = starting.join();
            // connected first, node 1's consumers are the active ones: it holds both users' deliveries
            ChatClient b1 = ChatClient.connect(one, bob);
            ChatClient a1 = ChatClient.connect(one, alice);
            try (ChatClient b2 = ChatClient.connect(two, bob); ChatClient a2 = ChatClient.connect(two, alice)) {
                List<ChatClient> senders = List.of(a1, a2);

                // round robin: each of bob's devices gets all, all ack, the sender hears delivered once each
                List<String> sent;
                try (MqttChatClient m2 = MqttChatClient.connect(two, bob, null)) { // PUBACKs each message
                    sent = RoundRobin.send(senders, bob, "rr", N);
                    assertThat(receive(b1, sent, true)).as("bob on node 1, the holder").containsExactlyInAnyOrderElementsOf(sent);
                    assertThat(receive(b2, sent, true)).as("bob on node 2, by copies").containsExactlyInAnyOrderElementsOf(sent);
                    List<String> overMqtt = new ArrayList<>();
                    while (!overMqtt.containsAll(sent)) {
                        String id = m2.next("message").frame().getString("message_id");
                        assertThat(overMqtt).as("%s came twice over MQTT", id).doesNotContain(id);
                        overMqtt.add(id);
                    }
                }
                for (ChatClient sender : senders) {
                    assertThat(RoundRobin.deliveredOnce(sender, sent)).as("delivered receipts at %s", sender).hasSize(N);
                }
                b1.expectNothingFor(Duration.ofSeconds(1));
                b2.expectNothingFor(Duration.ofSeconds(1));
                a1.expectNothingFor(Duration.ofSeconds(1));
                a2.expectNothingFor(Duration.ofSeconds(1));

                // no device acks: a device connecting later, on the node that holds nothing, gets them
                List<String> unacked = RoundRobin.send(senders, bob, "late", 20);
                receive(b1, unacked, false);
                receive(b2, unacked, false);
                try (ChatClient b3 = ChatClient.connect(two, bob)) {
                    assertThat(receive(b3, unacked, true)).containsExactlyInAnyOrderElementsOf(unacked);
                    for (ChatClient sender : senders) {
                        assertThat(RoundRobin.deliveredOnce(sender, unacked)).hasSize(unacked.size());
                    }
                }

                // the holder dies mid-run: node 2's consumers take over, bob on node 2 loses nothing
                List<String> beforeKill = RoundRobin.send(List.of(a2), bob, "kill", 50);
                node1.kill();
                List<String> afterKill = RoundRobin.send(List.of(a2), bob, "after", 50);
                List<String> all = new ArrayList<>(beforeKill);
                all.addAll(afterKill);
                Set<String> received = new HashSet<>();
                int twice = 0;
                while (!received.containsAll(all)) {
                    JsonObject message = b2.next("message");
                    String id = message.getString("message_id");
                    b2.ack(id);
                    if (!received.add(id)) {
                        twice++;
                        assertThat(message.getBoolean("redelivered")).as("%s came again", id).isTrue();
                    }
                }
                Set<String> delivered = new HashSet<>();
                while (!delivered.containsAll(all)) {
                    delivered.add(a2.next(f -> "delivered".equals(f.getString("status", null))).getString("message_id"));
                }
                System.out.println("RoundRobinIT: " + twice + " of " + all.size() + " came again after the holder died");
            } finally {
                b1.abort();
                a1.abort();
            }
        }
    }

    /** The ids of the messages {@code device} receives until it has each of {@code expected}; none twice. */
    private static List<String> receive(ChatClient device, List<String> expected, boolean ack) {
        List<String> got = new ArrayList<>();
        while (!got.containsAll(expected)) {
            String id = device.next("message").getString("message_id");
            assertThat(got).as("%s came twice", id).doesNotContain(id);
            got.add(id);
            if (ack) {
                device.ack(id);
            }
        }
        return got;
    }
}
