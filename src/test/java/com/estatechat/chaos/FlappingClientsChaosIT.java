package com.estatechat.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.ServerMetrics;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Users connect and disconnect at random while traffic flows: polite closes, dropped TCP
 * connections, and clients that die between a delivery and its ack. Every accepted message is
 * delivered (second copies flagged {@code redelivered}), every sender gets its {@code delivered}
 * receipt, and when everyone has left the server holds no session.
 */
class FlappingClientsChaosIT {

    private static final double DROP_BEFORE_ACK = 0.05;

    @Test
    void randomConnectsAndDisconnectsLoseNothing() {
        ChaosScale scale = ChaosScale.current();
        DeliveryLedger ledger = new DeliveryLedger("flapping-" + scale.form());
        List<String> users = scale.users("f");
        int reconnects = 0;
        long started = System.nanoTime();
        long flapped = 0;
        try (PayaraMicroProcess server = new PayaraMicroProcess(Deployments.chat("flapping", ChaosScale.settings(
                "chat.heartbeat.interval", "1s", "chat.heartbeat.timeout", "3s")))) {
            URI root = server.start();
            try (ChaosTraffic traffic = new ChaosTraffic(users)) {
                users.forEach(user -> traffic.put(ChaosClient.connect(root, user, ledger, DROP_BEFORE_ACK)));
                traffic.start(scale.messagesPerSecond());
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (reconnects < scale.flaps()) {
                    String user = users.get(random.nextInt(users.size()));
                    ChaosClient current = traffic.client(user);
                    if (current.isOpen()) {
                        if (random.nextBoolean()) {
                            current.close();
                        } else {
                            current.abort();
                        }
                    }
                    traffic.put(ChaosClient.connect(root, user, ledger, DROP_BEFORE_ACK));
                    reconnects++;
                }
                traffic.stop();
                flapped = System.nanoTime();
                // the drain: everyone back, acking everything
                users.forEach(user -> {
                    traffic.client(user).close();
                    traffic.put(ChaosClient.connect(root, user, ledger, 0));
                });
                ledger.awaitAnswered(Duration.ofSeconds(30));
                ledger.awaitSettled(Duration.ofSeconds(60));
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ServerMetrics.sessionsOpen(root))
                    .as("sessions open after every client left").isZero());
        }
        DeliveryLedger.Report report = ledger.report().write("reconnects: " + reconnects + " in "
                + java.time.Duration.ofNanos(flapped - started).toSeconds() + " s");
        System.out.println("accepted without a delivered receipt: " + ledger.missingDeliveredReceipts());
        report.assertNothingLost();
        assertThat(report.refused()).as("refusals").isEmpty();
    }
}
