package com.estatechat.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.PostgresStore;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Payara Micro ends while 20 users exchange messages, then restarts: killed (SIGKILL), or stopped
 * as an orchestrator stops it (SIGTERM: the application drains). Every message that got a
 * {@code queued} receipt reaches its recipient at least once, and every second copy is flagged
 * {@code redelivered}. After a kill the server had no chance to close anything: unacked deliveries
 * return to the inboxes only because the broker sees the connection die. The conversation store, on
 * PostgreSQL, ends with each accepted message exactly once: a stop cuts history batches too. One
 * user in four is on MQTT ({@code /mqtt}, Eclipse Paho), chatting with the WebSocket users.
 */
class ServerStopChaosIT {

    @Test
    void killedMidStreamLosesNothingAccepted() {
        endedMidStream("kill-9", PayaraMicroProcess::kill);
    }

    @Test
    void stoppedMidStreamLosesNothingAcceptedAndAnswersEverySend() {
        DeliveryLedger.Report report = endedMidStream("sigterm", PayaraMicroProcess::stop);
        // a stop drains: a send the client wrote before it heard the server was going is answered too
        assertThat(report.unanswered()).as("sends never answered (neither queued nor refused)").isZero();
    }

    private static DeliveryLedger.Report endedMidStream(String how, Consumer<PayaraMicroProcess> end) {
        ChaosScale scale = ChaosScale.current();
        DeliveryLedger ledger = new DeliveryLedger(how + "-" + scale.form());
        List<String> users = scale.users("k");
        Map<String, String> settings = new HashMap<>(ChaosScale.NO_RATE_LIMIT);
        try (PostgresStore store = new PostgresStore()) {
            settings.putAll(store.settings());
            try (PayaraMicroProcess server = new PayaraMicroProcess(Deployments.chat(how.replace("-", ""), settings))
                    .withOptions(store.payaraOptions());
                    ChaosTraffic traffic = new ChaosTraffic(users)) {
                run(scale, ledger, users, server, traffic, end);
                // the conversation store has every accepted message exactly once, whatever batch the kills cut
                Set<String> accepted = ledger.acceptedIds();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                        assertThat(store.targetRows(accepted)).as("rows per accepted message in the store")
                                .allSatisfy((id, rows) -> assertThat(rows).as(id).isEqualTo(1)));
            }
        }
        DeliveryLedger.Report report = ledger.report().write(
                "rounds: " + scale.rounds() + " of " + scale.trafficPerRound().toSeconds() + " s at " + scale.messagesPerSecond() + " msg/s, each ended by " + how + ";"
                        + " the conversation store (PostgreSQL) holds each accepted message once");
        return report.assertNothingLost();
    }

    /** Every fourth user connects over MQTT. */
    private static ChaosClient connect(URI root, List<String> users, String user, DeliveryLedger ledger) {
        return users.indexOf(user) % 4 == 0 ? ChaosClient.connectMqtt(root, user, ledger)
                : ChaosClient.connect(root, user, ledger, 0);
    }

    private static void run(ChaosScale scale, DeliveryLedger ledger, List<String> users, PayaraMicroProcess server,
            ChaosTraffic traffic, Consumer<PayaraMicroProcess> end) {
        URI root = server.start();
        for (int round = 1; round <= scale.rounds(); round++) {
            users.forEach(user -> traffic.put(connect(root, users, user, ledger)));
            traffic.start(scale.messagesPerSecond());
            long acceptedBefore = ledger.report().accepted();
            await().atMost(scale.trafficPerRound().plusSeconds(30))
                    .pollDelay(scale.trafficPerRound()).until(() -> ledger.report().accepted() > acceptedBefore);
            end.accept(server);
            traffic.stop();
            Map<String, Long> closes = new java.util.TreeMap<>();
            for (String user : users) {
                ChaosClient client = traffic.client(user);
                int code = client.awaitClosed(Duration.ofSeconds(30));
                assertThat(code).as("%s's connection ends with the process", user).isNotZero();
                closes.merge(code + " " + client.closeReason(), 1L, Long::sum);
            }
            System.out.println("Round " + round + ": the connections closed with " + closes);
            server.start();
        }
        users.forEach(user -> traffic.put(connect(root, users, user, ledger)));
        ledger.awaitSettled(Duration.ofSeconds(60));
    }
}
