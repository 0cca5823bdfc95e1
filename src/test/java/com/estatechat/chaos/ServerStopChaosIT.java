package com.estatechat.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.Deployments;
import com.estatechat.support.EmbeddedStore;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.PostgresStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Payara Micro ends while 20 users exchange messages, then restarts: killed (SIGKILL), or stopped
 * as an orchestrator stops it (SIGTERM: the application drains). Every message that got a
 * {@code queued} receipt reaches its recipient at least once, and every second copy is flagged
 * {@code redelivered}. After a kill the server had no chance to close anything: unacked deliveries
 * return to the inboxes only because the broker sees the connection die. The conversation store, on
 * PostgreSQL and on the embedded H2, ends with each accepted message exactly once: a stop cuts
 * history batches too. One user in four is on MQTT ({@code /mqtt}, Eclipse Paho), chatting with
 * the WebSocket users.
 */
class ServerStopChaosIT {

    @Test
    void killedMidStreamLosesNothingAccepted() {
        try (PostgresStore store = new PostgresStore()) {
            endedMidStream("kill-9", PayaraMicroProcess::kill, store);
        }
    }

    @Test
    void stoppedMidStreamLosesNothingAcceptedAndAnswersEverySend() {
        DeliveryLedger.Report report;
        try (PostgresStore store = new PostgresStore()) {
            report = endedMidStream("sigterm", PayaraMicroProcess::stop, store);
        }
        // a stop drains: a send the client wrote before it heard the server was going is answered too
        assertThat(report.unanswered()).as("sends never answered (neither queued nor refused)").isZero();
    }

    /** The default store (H2 in files) keeps what its writer acked through a kill; its files are read after a stop. */
    @Test
    void killedMidStreamLosesNothingFromTheEmbeddedStore() {
        EmbeddedStore store = new EmbeddedStore();
        AtomicReference<Path> afterKill = new AtomicReference<>();
        endedMidStream("kill-9-embedded", server -> {
            server.kill();
            afterKill.set(store.keepCopy("after-kill"));
        }, store, afterKill);
    }

    private static DeliveryLedger.Report endedMidStream(String how, Consumer<PayaraMicroProcess> end, PostgresStore store) {
        return endedMidStream(how, end, store.settings(), store.payaraOptions(), (server, accepted) ->
                // read while the server runs: the writer may still be at the last events
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                        assertEachStoredOnce(store.targetRows(accepted))));
    }

    private static DeliveryLedger.Report endedMidStream(String how, Consumer<PayaraMicroProcess> end, EmbeddedStore store,
            AtomicReference<Path> afterKill) {
        return endedMidStream(how, end, store.settings(), new String[0], (server, accepted) -> {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> store.eventsWaiting() == 0);
            // its writer commits the batch in hand; a batch whose ack waited for H2's write goes back to
            // the queue when the channel closes, though H2 wrote it when it closed
            server.stop();
            Map<String, Integer> rows = store.targetRows(accepted);
            String context = " (history events back in the queue after the stop: " + store.eventsWaiting() + ")";
            if (rows.values().stream().anyMatch(count -> count != 1)) {
                context += lossContext(store, afterKill.get(), accepted, server);
            }
            assertEachStoredOnce(rows, context);
        });
    }

    /**
     * What tells where rows went (seen once in CI, not reproduced since): whether the file the killed
     * server left held them, and what the server logged about the store.
     */
    private static String lossContext(EmbeddedStore store, Path afterKill, Set<String> accepted, PayaraMicroProcess server) {
        StringBuilder context = new StringBuilder();
        if (afterKill != null) {
            try {
                long kept = store.targetRowsIn(afterKill, accepted).values().stream().filter(count -> count > 0).count();
                context.append("; the file left by the kill (").append(afterKill).append(".mv.db) has a row for ")
                        .append(kept).append(" of ").append(accepted.size()).append(" accepted messages");
            } catch (RuntimeException e) {
                context.append("; the file left by the kill cannot be read: ").append(e);
            }
        }
        try (Stream<String> lines = Files.lines(server.log().toPath(), StandardCharsets.ISO_8859_1)) {
            // the records of the store's classes and H2 (a record's first line holds its logger and message;
            // "schema migrations applied now" at the restart says whether the server found its tables)
            List<String> said = lines.map(line -> line.replaceAll("\u001B\\[[0-9;]*m", ""))
                    .filter(line -> !line.startsWith("\t") && (line.contains("[com.estatechat.history.control.")
                            || line.contains("[org.h2")))
                    .map(line -> line.length() > 400 ? line.substring(0, 400) + "..." : line).limit(40).toList();
            context.append("; the server's log (").append(server.log()).append(") on the store:\n  ")
                    .append(String.join("\n  ", said));
        } catch (IOException | UncheckedIOException e) {
            context.append("; the server's log cannot be read: ").append(e);
        }
        return context.toString();
    }

    private static void assertEachStoredOnce(Map<String, Integer> rows) {
        assertEachStoredOnce(rows, "");
    }

    private static void assertEachStoredOnce(Map<String, Integer> rows, String context) {
        assertThat(rows).as("rows per accepted message in the store" + context).allSatisfy((id, count) ->
                assertThat(count).as(id).isEqualTo(1));
    }

    private static DeliveryLedger.Report endedMidStream(String how, Consumer<PayaraMicroProcess> end,
            Map<String, String> storeSettings, String[] storeOptions, BiConsumer<PayaraMicroProcess, Set<String>> storeCheck) {
        ChaosScale scale = ChaosScale.current();
        DeliveryLedger ledger = new DeliveryLedger(how + "-" + scale.form());
        List<String> users = scale.users("k");
        Map<String, String> settings = new HashMap<>(ChaosScale.NO_RATE_LIMIT);
        settings.putAll(storeSettings);
        try (PayaraMicroProcess server = new PayaraMicroProcess(Deployments.chat(how.replace("-", ""), settings))
                .withOptions(storeOptions);
                ChaosTraffic traffic = new ChaosTraffic(users)) {
            run(scale, ledger, users, server, traffic, end);
            // the conversation store has every accepted message exactly once, whatever batch the kills cut
            storeCheck.accept(server, ledger.acceptedIds());
        }
        DeliveryLedger.Report report = ledger.report().write(
                "rounds: " + scale.rounds() + " of " + scale.trafficPerRound().toSeconds() + " s at " + scale.messagesPerSecond() + " msg/s, each ended by " + how + ";"
                        + " the conversation store holds each accepted message once");
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
