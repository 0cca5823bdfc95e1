package com.estatechat.cluster;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.mqtt.boundary.MqttChatClient;
import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.PostgresStore;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * Issue 23's proof: three Payara Micro nodes on one RabbitMQ behind no routing rule. Bob has a
 * device on each (two {@code /ws}, one {@code /mqtt}); alice sends 1,000 messages or more to him through
 * her connections on every node in turn, as a round-robin load balancer places them. Mid-run the
 * node holding both users' deliveries is stopped (SIGTERM) and started again; bob's device there
 * reconnects to it and catches up with {@code sync}, as a client does. Every device has every
 * message (a second copy only flagged {@code redelivered} or DUP), and each of alice's devices
 * that stayed gets exactly one {@code delivered} per message.
 */
class ThreeNodesIT {

    /** At least this many (more are sent while node 1 stops); {@code -Dcluster.messages} for a longer run. */
    private static final int N = Integer.getInteger("cluster.messages", 1_000);
    /** How long a device waits for its next message before it looks again whether it is done. */
    private static final Duration POLL = Duration.ofMillis(200);

    @Test
    void everyDeviceGetsEveryMessageWhileTheNodeHoldingTheDeliveriesStopsAndStartsAgain() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        // several nodes share one store: PostgreSQL, as in production (the embedded one is a node's own)
        try (PostgresStore store = new PostgresStore()) {
            Map<String, String> settings = new HashMap<>(store.settings());
            settings.putAll(Map.of("chat.rate-limit.per-second", "1000", "chat.rate-limit.burst", "1000"));
            WebArchive app = Deployments.chat("three", settings);
            try (PayaraMicroProcess node1 = new PayaraMicroProcess(app, "three1").withOptions(store.payaraOptions());
                    PayaraMicroProcess node2 = new PayaraMicroProcess(app, "three2").withOptions(store.payaraOptions());
                    PayaraMicroProcess node3 = new PayaraMicroProcess(app, "three3").withOptions(store.payaraOptions())) {
                run(alice, bob, node1, node2, node3);
            }
        }
    }

    private static void run(String alice, String bob, PayaraMicroProcess node1, PayaraMicroProcess node2,
            PayaraMicroProcess node3) throws Exception {
        CompletableFuture<URI> starting2 = CompletableFuture.supplyAsync(node2::start);
        CompletableFuture<URI> starting3 = CompletableFuture.supplyAsync(node3::start);
        URI one = node1.start();
        URI two = starting2.join();
        URI three = starting3.join();
        // connected first, node 1's consumers are the active ones: it holds both users' deliveries
        ChatClient b1 = ChatClient.connect(one, bob);
        ChatClient a1 = ChatClient.connect(one, alice);
        try (ChatClient b2 = ChatClient.connect(two, bob); MqttChatClient m3 = MqttChatClient.connect(three, bob, null);
                ChatClient a2 = ChatClient.connect(two, alice); ChatClient a3 = ChatClient.connect(three, alice)) {
            Sent sent = new Sent();
            Device onNode1 = new Device("bob on node 1, stopped");
            Device onNode2 = new Device("bob on node 2");
            Device overMqtt = new Device("bob over MQTT on node 3");
            Device onNode1Again = new Device("bob on node 1, started again");
            CompletableFuture<Void> untilStopped = CompletableFuture.runAsync(() -> onNode1.receiveUntilClosed(b1));
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> onNode2.receiveAll(b2, sent));
            CompletableFuture<Void> third = CompletableFuture.runAsync(() -> overMqtt.receiveAll(m3, sent));

            RoundRobin.send(List.of(a1, a2, a3), bob, "before", N * 3 / 10, sent::addAll);
            // sent on while node 1 drains, closes and undeploys, so that deliveries are in flight when its consumers go
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(node1::stop);
            int whileStopping = sendUntil(stopping, List.of(a2, a3), bob, "stopping", Integer.MAX_VALUE, sent);
            assertThat(b1.awaitClosed().code()).as("node 1 closes its sessions going away").isEqualTo(1001);
            untilStopped.get(30, TimeUnit.SECONDS);
            CompletableFuture<URI> startingAgain = CompletableFuture.supplyAsync(node1::start);
            int whileStarting = sendUntil(startingAgain, List.of(a2, a3), bob, "restarting", N * 3 / 10, sent);
            URI again = startingAgain.get(150, TimeUnit.SECONDS);
            try (ChatClient a1Again = ChatClient.connect(again, alice); ChatClient b1Again = ChatClient.connect(again, bob)) {
                Set<String> sentSinceBack = ConcurrentHashMap.newKeySet();
                CompletableFuture<Void> back = CompletableFuture.runAsync(() -> onNode1Again.receiveAll(b1Again,
                        sentSinceBack, sent));
                int rest = Math.max(N / 10, N - sent.ids().size());
                sentSinceBack.addAll(RoundRobin.send(List.of(a1Again, a2, a3), bob, "after", rest, sent::addAll));
                sent.finish();
                CompletableFuture.allOf(second, third, back).get(120, TimeUnit.SECONDS);
                System.out.println("ThreeNodesIT: " + sent.ids().size() + " messages, " + whileStopping
                        + " sent while node 1 stopped, " + whileStarting + " while it started again");

                List<String> all = sent.ids();
                assertThat(all).hasSizeGreaterThanOrEqualTo(N);
                assertThat(onNode2.ids()).as(onNode2.name).containsAll(all);
                assertThat(overMqtt.ids()).as(overMqtt.name).containsAll(all);
                // the device on the stopped node: what it got live, then what the store gives since
                Set<String> seen = new HashSet<>(onNode1.ids());
                seen.addAll(onNode1Again.ids());
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    seen.addAll(synced(b1Again, onNode1.last()));
                    assertThat(seen).as("%s, with sync", onNode1.name).containsAll(all);
                });
                for (Device device : List.of(onNode1, onNode2, overMqtt, onNode1Again)) {
                    assertThat(device.unflaggedRepeats).as("%s got these twice unflagged", device.name).isEmpty();
                    System.out.println("ThreeNodesIT: " + device.name + " got " + device.ids().size() + " messages, "
                            + device.repeats + " of them again, flagged");
                }
                for (ChatClient sender : List.of(a2, a3)) {
                    assertThat(RoundRobin.deliveredOnce(sender, all)).as("delivered receipts at %s", sender).hasSize(all.size());
                    sender.expectNothingFor(Duration.ofSeconds(2));
                }
            }
        } finally {
            b1.abort();
            a1.abort();
        }
    }

    /**
     * Sends batches of ten through the clients in turn until {@code step} is over (at least one
     * batch, and at most {@code most} messages, then waits for it); returns how many were sent.
     */
    private static int sendUntil(CompletableFuture<?> step, List<ChatClient> through, String target, String prefix,
            int most, Sent sent) throws Exception {
        int count = 0;
        do {
            count += RoundRobin.send(through, target, prefix + count, 10, sent::addAll).size();
        } while (!step.isDone() && count < most);
        step.get(150, TimeUnit.SECONDS);
        return count;
    }

    /** The ids of alice's messages, each once queued; finished once the last was sent. */
    private static final class Sent {
        private final List<String> ids = new CopyOnWriteArrayList<>();
        private volatile boolean finished;

        void addAll(List<String> queued) {
            ids.addAll(queued);
        }

        void finish() {
            finished = true;
        }

        boolean allIn(Set<String> got) {
            return finished && got.containsAll(ids);
        }

        List<String> ids() {
            return List.copyOf(ids);
        }
    }

    /** One of bob's devices: every message it got, acked, and those that came again. */
    private static final class Device {
        final String name;
        private final Set<String> got = ConcurrentHashMap.newKeySet();
        private volatile String last;
        volatile int repeats;
        final List<String> unflaggedRepeats = new CopyOnWriteArrayList<>();

        Device(String name) {
            this.name = name;
        }

        Set<String> ids() {
            return got;
        }

        String last() {
            return last;
        }

        private void arrived(String id, boolean flagged) {
            if (!got.add(id)) {
                repeats++;
                if (!flagged) {
                    unflaggedRepeats.add(id);
                }
            }
            last = id;
        }

        /** Until the server closes the connection: acks each message as long as it can. */
        void receiveUntilClosed(ChatClient device) {
            Optional<JsonObject> message;
            while ((message = device.nextUntilClosed(f -> "message".equals(f.getString("type")))).isPresent()) {
                String id = message.get().getString("message_id");
                arrived(id, message.get().getBoolean("redelivered"));
                try {
                    device.ack(id);
                } catch (RuntimeException closing) {
                    return; // the node went: another device acks it
                }
            }
        }

        /** Until every message sent came, acking each. */
        void receiveAll(ChatClient device, Sent sent) {
            receiveAll(device, sent, () -> sent.finished && got.containsAll(sent.ids()));
        }

        /** Until the last message was sent and each of {@code awaited} came, acking each. */
        void receiveAll(ChatClient device, Set<String> awaited, Sent sent) {
            receiveAll(device, sent, () -> sent.finished && got.containsAll(awaited));
        }

        private void receiveAll(ChatClient device, Sent sent, java.util.function.BooleanSupplier done) {
            until(sent, done, () -> device.nextWithin(POLL, f -> "message".equals(f.getString("type"))).map(message -> {
                String id = message.getString("message_id");
                arrived(id, message.getBoolean("redelivered"));
                device.ack(id);
                return id;
            }));
        }

        /** Paho PUBACKs each message itself. */
        void receiveAll(MqttChatClient device, Sent sent) {
            until(sent, () -> sent.finished && got.containsAll(sent.ids()), () -> device.nextWithin(POLL, "message")
                    .map(message -> {
                        String id = message.frame().getString("message_id");
                        arrived(id, message.frame().getBoolean("redelivered"));
                        return id;
                    }));
        }

        /**
         * Takes messages until {@code done}; fails when one sent is missing and none came for
         * {@link ChatClient#WAIT}, saying how far this device got.
         */
        private void until(Sent sent, java.util.function.BooleanSupplier done,
                java.util.function.Supplier<Optional<String>> next) {
            long lastArrival = System.nanoTime();
            while (!done.getAsBoolean()) {
                if (next.get().isPresent()) {
                    lastArrival = System.nanoTime();
                } else if (System.nanoTime() - lastArrival > ChatClient.WAIT.toNanos() && !got.containsAll(sent.ids())) {
                    List<String> missing = new ArrayList<>(sent.ids());
                    missing.removeAll(got);
                    throw new AssertionError(name + " got nothing for " + ChatClient.WAIT + " with " + got.size() + " of "
                            + sent.ids().size() + " sent so far (" + (sent.finished ? "all" : "not all") + " sent); "
                            + missing.size() + " missing, such as " + missing.subList(0, Math.min(5, missing.size())));
                }
            }
        }
    }

    /** What the store gives {@code device} since {@code since}, every page of it. */
    private static List<String> synced(ChatClient device, String since) {
        List<String> ids = new ArrayList<>();
        String from = since;
        while (true) {
            device.send(Json.createObjectBuilder().add("type", "sync").add("since", from).build());
            while (true) {
                JsonObject frame = device.next(f -> "synced".equals(f.getString("type")) || f.getBoolean("synced", false));
                if ("synced".equals(frame.getString("type"))) {
                    if (!frame.getBoolean("more", false)) {
                        return ids;
                    }
                    from = frame.getString("last_message_id");
                    break;
                }
                ids.add(frame.getString("message_id"));
            }
        }
    }
}
