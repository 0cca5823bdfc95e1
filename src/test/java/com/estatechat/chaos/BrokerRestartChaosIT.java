package com.estatechat.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.RabbitMqNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ itself is stopped and started while 20 connected users chat. While it is down every
 * message gets {@code unavailable} (none goes unanswered) and readiness reports DOWN; then the
 * server recovers by itself (connection, channels, consumers: the same WebSocket sessions receive
 * again), readiness comes back, and nothing accepted is lost.
 */
class BrokerRestartChaosIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void brokerRestartGivesUnavailableThenRecoversWithoutLoss() {
        ChaosScale scale = ChaosScale.current();
        DeliveryLedger ledger = new DeliveryLedger("broker-restart-" + scale.form());
        List<String> users = scale.users("r");
        try (PayaraMicroProcess server = new PayaraMicroProcess(Deployments.chat("brokerrestart", ChaosScale.settings(
                "chat.amqp.reconnect-interval", "500ms", "chat.amqp.confirm-timeout", "2s")));
                ChaosTraffic traffic = new ChaosTraffic(users)) {
            URI root = server.start();
            users.forEach(user -> traffic.put(ChaosClient.connect(root, user, ledger, 0)));
            traffic.start(scale.messagesPerSecond());
            for (int round = 1; round <= scale.rounds(); round++) {
                long accepted = ledger.report().accepted();
                await().atMost(scale.trafficPerRound().plusSeconds(30)).pollDelay(scale.trafficPerRound())
                        .until(() -> ledger.report().accepted() > accepted);
                try {
                    RabbitMqNode.stopApp();
                    await().atMost(Duration.ofSeconds(20)).until(() -> readiness(root) == 503);
                    long refused = unavailable(ledger);
                    await().atMost(Duration.ofSeconds(20)).until(() -> unavailable(ledger) > refused);
                } finally {
                    RabbitMqNode.startApp();
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> readiness(root) == 200);
                long acceptedDuringOutage = ledger.report().accepted();
                await().atMost(Duration.ofSeconds(60)).until(() -> ledger.report().accepted() > acceptedDuringOutage);
            }
            traffic.stop();
            ledger.awaitAnswered(Duration.ofSeconds(30));
            ledger.awaitSettled(Duration.ofSeconds(60));
            users.forEach(user -> assertThat(traffic.client(user).isOpen())
                    .as("%s's WebSocket outlived the broker restart", user).isTrue());
        }
        DeliveryLedger.Report report = ledger.report().write(
                "rounds: " + scale.rounds() + " of " + scale.trafficPerRound().toSeconds() + " s at " + scale.messagesPerSecond() + " msg/s, each followed by a broker restart");
        assertThat(report.refused()).as("refusals while the broker was down").containsKey("unavailable");
        assertThat(report.refused().keySet()).as("only unavailable").containsOnly("unavailable");
        assertThat(report.unanswered()).as("messages the sender heard nothing about").isZero();
        report.assertNothingLost();
    }

    private static long unavailable(DeliveryLedger ledger) {
        return ledger.report().refused().getOrDefault("unavailable", 0L);
    }

    private static int readiness(URI root) {
        try {
            return HTTP.send(HttpRequest.newBuilder(root.resolve("/health/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
