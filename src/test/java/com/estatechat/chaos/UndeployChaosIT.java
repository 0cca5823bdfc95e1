package com.estatechat.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.RabbitMqNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The application is undeployed while 20 users chat, and deployed again in the same Payara Micro
 * process with the same broker (issue 21's fault matrix). Undeploy runs the ordered shutdown that
 * SIGTERM runs ({@code SessionRegistry.shutdown}, the publisher's drain, then the beans'
 * {@code @PreDestroy}) without the JVM's exit to hide what it leaves behind: every send the server
 * took is answered before its connection closes with 1001 (one sent meanwhile is refused
 * {@code unavailable}), no inbox keeps a consumer of the undeployed application, and once deployed
 * again everyone gets what was accepted, any second copy flagged {@code redelivered}. Every send is
 * answered, also one the client wrote before it heard the server was going.
 */
class UndeployChaosIT {

    @Test
    void undeployedMidStreamLosesNothingAccepted() {
        ChaosScale scale = ChaosScale.current();
        DeliveryLedger ledger = new DeliveryLedger("fault-undeploy-" + scale.form());
        List<String> users = scale.users("u");
        String inboxPrefix = "test.undeploy." + UUID.randomUUID().toString().substring(0, 8) + ".inbox.";
        List<Integer> closeCodes = new ArrayList<>();
        try (PayaraMicroProcess server = new PayaraMicroProcess(Deployments.chat("undeploy", ChaosScale.settings(
                "chat.amqp.inbox-prefix", inboxPrefix, "chat.amqp.confirm-timeout", "2s"))).undeployable();
                ChaosTraffic traffic = new ChaosTraffic(users)) {
            URI root = server.start();
            for (int round = 1; round <= scale.rounds(); round++) {
                users.forEach(user -> traffic.put(ChaosClient.connect(root, user, ledger, 0)));
                traffic.start(scale.messagesPerSecond());
                long acceptedBefore = ledger.report().accepted();
                await().atMost(scale.trafficPerRound().plusSeconds(30))
                        .pollDelay(scale.trafficPerRound()).until(() -> ledger.report().accepted() > acceptedBefore);
                server.undeploy();
                traffic.stop();
                for (String user : users) {
                    int code = traffic.client(user).awaitClosed(Duration.ofSeconds(30));
                    closeCodes.add(code);
                    if (code != 1001) {
                        System.out.println(user + " closed with " + code + ", its sends unanswered: "
                                + ledger.unansweredFrom(user));
                    }
                }
                // the undeployed application left nothing consuming: its consumers and connections are closed
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(consumersOfInboxes(inboxPrefix)).as("consumers left on the inboxes").isZero());
                server.deploy();
            }
            users.forEach(user -> traffic.put(ChaosClient.connect(root, user, ledger, 0)));
            ledger.awaitSettled(Duration.ofSeconds(60));
        }
        DeliveryLedger.Report report = ledger.report().write("fault: the application undeployed mid-stream and"
                + " deployed again in the same Payara Micro process, " + scale.rounds() + " round(s); " + scale.users()
                + " users at " + scale.messagesPerSecond() + " msg/s; close codes " + closeCodes);
        // -1: the client was writing when the container closed the TCP connection after its close frame
        assertThat(closeCodes).as("how the undeploy closed each connection").containsAnyOf(1001)
                .isSubsetOf(1001, -1);
        assertThat(report.refused().keySet()).as("refusals (a send during the shutdown)").isSubsetOf("unavailable");
        assertThat(report.deliveredWithoutQueuedReceipt()).as("stored, but the sender never heard").isZero();
        assertThat(report.unanswered()).as("sends never answered (neither queued nor refused)").isZero();
        report.assertNothingLost();
    }

    private static long consumersOfInboxes(String prefix) {
        return RabbitMqNode.list("list_queues", "name", "consumers").stream().map(line -> line.trim().split("\\s+"))
                .filter(columns -> columns.length == 2 && columns[0].startsWith(prefix))
                .mapToLong(columns -> Long.parseLong(columns[1])).sum();
    }
}
