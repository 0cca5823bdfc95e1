package com.estatechat.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.RabbitMqNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The faults a RabbitMQ deployment meets, each in the middle of steady traffic among 20 users
 * (issue 21's fault matrix): a memory alarm, a disk alarm, and the broker closing each of the
 * server's connections. Each case ends with every send answered, nothing accepted lost, nothing
 * refused that was delivered after all, and every second copy flagged {@code redelivered}; the
 * ledger's report (target/chaos-reports) has the counts and the longest wait for an answer.
 * A fault the test makes is undone in a finally, whatever the outcome.
 */
class BrokerFaultsChaosIT {

    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(2);
    static PayaraMicroProcess server;
    static URI root;

    @BeforeAll
    static void start() {
        server = new PayaraMicroProcess(Deployments.chat("faults", ChaosScale.settings(
                "chat.amqp.reconnect-interval", "500ms",
                "chat.amqp.confirm-timeout", CONFIRM_TIMEOUT.toSeconds() + "s")));
        root = server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void memoryAlarm() {
        run("memory-alarm", ledger -> {
            try (RabbitMqNode.Fault alarm = RabbitMqNode.memoryAlarm()) {
                holdPastTheConfirmTimeout(ledger);
            }
        });
    }

    @Test
    void diskAlarm() {
        run("disk-alarm", ledger -> {
            try (RabbitMqNode.Fault alarm = RabbitMqNode.diskAlarm()) {
                holdPastTheConfirmTimeout(ledger);
            }
        });
    }

    @Test
    void theBrokerClosesThePublishingConnection() {
        run("close-publishing-connection", ledger -> assertThat(
                RabbitMqNode.closeConnectionsNamed("estate-chat-publish", "fault matrix")).isEqualTo(1));
    }

    @Test
    void theBrokerClosesTheConsumingConnection() {
        run("close-consuming-connection", ledger -> assertThat(
                RabbitMqNode.closeConnectionsNamed("estate-chat", "fault matrix")).isEqualTo(1));
    }

    /** Traffic, the fault once traffic flows, traffic on until more is accepted after it, then the ledger's verdict. */
    private static void run(String scenario, Consumer<DeliveryLedger> fault) {
        ChaosScale scale = ChaosScale.current();
        DeliveryLedger ledger = new DeliveryLedger("fault-" + scenario + "-" + scale.form());
        List<String> users = scale.users(scenario.substring(0, 1));
        try (ChaosTraffic traffic = new ChaosTraffic(users)) {
            users.forEach(user -> traffic.put(ChaosClient.connect(root, user, ledger, 0)));
            traffic.start(scale.messagesPerSecond());
            await().atMost(Duration.ofSeconds(30)).until(() -> ledger.report().accepted() > 20);
            fault.accept(ledger);
            long acceptedAfterFault = ledger.report().accepted();
            await().atMost(Duration.ofSeconds(60)).pollDelay(scale.trafficPerRound())
                    .until(() -> ledger.report().accepted() > acceptedAfterFault + 20);
            traffic.stop();
            ledger.awaitAnswered(Duration.ofSeconds(30));
            ledger.awaitSettled(Duration.ofSeconds(60));
        }
        DeliveryLedger.Report report = ledger.report().write("fault: " + scenario + ", " + scale.users()
                + " users at " + scale.messagesPerSecond() + " msg/s");
        assertThat(report.unanswered()).as("sends the sender heard nothing about").isZero();
        assertThat(report.refused().keySet()).as("refusals").isSubsetOf("unavailable");
        report.assertNothingLost();
    }

    /**
     * Keeps an alarm on for at least three confirm timeouts (a timer that turned a written send
     * into a refusal would fire), and until the server refused a send for it.
     */
    private static void holdPastTheConfirmTimeout(DeliveryLedger ledger) {
        long refused = unavailable(ledger);
        await().pollDelay(CONFIRM_TIMEOUT.multipliedBy(3)).atMost(Duration.ofSeconds(30))
                .until(() -> unavailable(ledger) > refused);
    }

    private static long unavailable(DeliveryLedger ledger) {
        return ledger.report().refused().getOrDefault("unavailable", 0L);
    }
}
