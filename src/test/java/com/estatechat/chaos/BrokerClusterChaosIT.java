package com.estatechat.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.RabbitCluster;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployment docs/operations.md recommends for a clustered broker: three RabbitMQ nodes
 * ({@link RabbitCluster}, beside the system broker), quorum inboxes, and the server given all
 * three addresses ({@code chat.amqp.addresses}). While 20 users chat, the node the server consumes
 * from stops ({@code stop_app}) and starts again; the long form stops each node in turn. The server
 * must move to another node by itself, and the ledger must show every send answered, nothing
 * accepted lost, nothing refused that was delivered after all, and every second copy flagged.
 */
class BrokerClusterChaosIT {

    @BeforeAll
    static void rabbitMqCanStartNodesOfOurOwn() {
        Assumptions.assumeTrue(RabbitCluster.installed(),
                "RabbitMQ's server scripts are not in " + "/usr/lib/rabbitmq/bin (system property rabbit.cluster.bin):"
                        + " this machine cannot start the three extra nodes of the cluster run");
    }

    private final long begun = System.nanoTime();

    @Test
    void aStoppedAndRestartedNodeLosesNothing() {
        ChaosScale scale = ChaosScale.current();
        DeliveryLedger ledger = new DeliveryLedger("fault-cluster-node-restart-" + scale.form());
        List<String> users = scale.users("k");
        List<String> stopped = new ArrayList<>();
        Duration clusterStart;
        try (RabbitCluster cluster = RabbitCluster.start();
                PayaraMicroProcess server = new PayaraMicroProcess(Deployments.chat("cluster", ChaosScale.settings(
                        "chat.amqp.addresses", cluster.addresses(),
                        "chat.amqp.queue-type", "quorum",
                        "chat.amqp.reconnect-interval", "500ms",
                        "chat.amqp.confirm-timeout", "2s")));
                ChaosTraffic traffic = new ChaosTraffic(users)) {
            clusterStart = cluster.startedIn();
            step("three nodes clustered in " + clusterStart.toMillis() + " ms");
            URI root = server.start();
            step("server ready");
            users.forEach(user -> traffic.put(ChaosClient.connect(root, user, ledger, 0)));
            step("users connected");
            assertThat(cluster.rabbitmqctl(cluster.nodeNames().get(0), "list_queues", "-q", "--no-table-headers",
                    "name", "type", "members").lines().filter(line -> line.contains(".inbox." + users.get(0))))
                    .as("a user's inbox: a quorum queue with a member on each node").singleElement().asString()
                    .contains("quorum").contains(cluster.nodeNames());
            traffic.start(scale.messagesPerSecond());
            for (int round = 0; round < scale.rounds(); round++) {
                long acceptedBefore = ledger.report().accepted();
                await().atMost(scale.trafficPerRound().plusSeconds(30)).pollDelay(scale.trafficPerRound())
                        .until(() -> ledger.report().accepted() > acceptedBefore + 20);
                String witness = cluster.nodeNames().get(0);
                Map<String, String> before = cluster.connectionNodes(witness);
                // the short form stops the node the server consumes from; the long form each in turn
                String node = scale.rounds() == 1 ? before.get("estate-chat") : cluster.nodeNames().get(round % 3);
                assertThat(node).as("the node of the server's consuming connection").isNotNull();
                String other = cluster.nodeNames().stream().filter(name -> !name.equals(node)).findFirst().orElseThrow();
                stopped.add(node + " (consuming from " + before.get("estate-chat") + ", publishing to "
                        + before.get("estate-chat-publish") + ")");
                try {
                    step("stopping " + stopped.get(round));
                    cluster.stopApp(node);
                    // the server is on another node, both connections, and messages are accepted again
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        Map<String, String> now = cluster.connectionNodes(other);
                        return now.containsKey("estate-chat") && !now.get("estate-chat").equals(node)
                                && now.containsKey("estate-chat-publish") && !now.get("estate-chat-publish").equals(node);
                    });
                    step("the server is on the other nodes");
                    long acceptedWhileDown = ledger.report().accepted();
                    await().atMost(Duration.ofSeconds(30)).until(() -> ledger.report().accepted() > acceptedWhileDown + 20);
                    step("messages accepted while " + node + " is down");
                } finally {
                    cluster.startApp(node);
                    step(node + " started again");
                }
                long acceptedAfter = ledger.report().accepted();
                await().atMost(Duration.ofSeconds(30)).until(() -> ledger.report().accepted() > acceptedAfter + 20);
            }
            traffic.stop();
            ledger.awaitAnswered(Duration.ofSeconds(30));
            ledger.awaitSettled(Duration.ofSeconds(60));
            step("traffic stopped and settled");
            users.forEach(user -> assertThat(traffic.client(user).isOpen())
                    .as("%s's WebSocket outlived the broker node's restart", user).isTrue());
        }
        step("server and cluster closed");
        DeliveryLedger.Report report = ledger.report().write("fault: one node of a three-node RabbitMQ cluster"
                + " (quorum inboxes, the server given all three addresses) stopped with stop_app and started again, "
                + scale.users() + " users at " + scale.messagesPerSecond() + " msg/s; stopped: " + stopped
                + "; the cluster started in " + clusterStart.toMillis() + " ms");
        assertThat(report.unanswered()).as("sends the sender heard nothing about").isZero();
        assertThat(report.refused().keySet()).as("refusals").isSubsetOf("unavailable");
        // an ack sent again after unavailable, its delivery back in the inbox with a lost channel (the long run had 3)
        assertThat(report.otherErrors()).as("errors about no message of the run").doesNotContainKey("unknown_message");
        report.assertNothingLost();
    }

    /** A line in the test output: how long the run has taken so far (the CI budget is tight). */
    private void step(String what) {
        System.out.printf("[cluster run %5.1f s] %s%n", (System.nanoTime() - begun) / 1e9, what);
    }
}
