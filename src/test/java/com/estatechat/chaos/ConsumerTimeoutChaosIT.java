package com.estatechat.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.RabbitMqNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ's {@code consumer_timeout} (issue 21's fault matrix): the broker closes a whole channel
 * whose consumer holds a delivery unacked past it, and the server's inbox consumers share channels.
 * Here the broker's timeout is 5 s (checked each second), the server's {@code chat.delivery.ack-timeout}
 * 2 s, and one user never acks while 20 others chat on the same consumer channel. The server closes
 * that user's connection first (1008), so the broker never closes the channel: the others get every
 * message exactly once, none redelivered. The broker's settings are put back in a finally.
 */
class ConsumerTimeoutChaosIT {

    static final Duration BROKER_TIMEOUT = Duration.ofSeconds(5);

    @Test
    void aUserWhoNeverAcksClosesOnlyItsOwnConnection() {
        ChaosScale scale = ChaosScale.current();
        DeliveryLedger ledger = new DeliveryLedger("fault-consumer-timeout-" + scale.form());
        List<String> users = scale.users("t");
        String stuck = Deployments.user("stuck");
        ChatClient.Closed closed;
        try (RabbitMqNode.Fault timeout = RabbitMqNode.consumerTimeout(BROKER_TIMEOUT);
                PayaraMicroProcess server = new PayaraMicroProcess(Deployments.chat("consumertimeout",
                        ChaosScale.settings("chat.delivery.ack-timeout", "2s", "chat.heartbeat.interval", "1s",
                                "chat.amqp.consumers-per-channel", "50")));
                ChaosTraffic traffic = new ChaosTraffic(users)) {
            URI root = server.start();
            try (ChatClient never = ChatClient.connect(root, stuck); ChatClient poker = ChatClient.connect(root,
                    Deployments.user("poker"))) {
                users.forEach(user -> traffic.put(ChaosClient.connect(root, user, ledger, 0)));
                traffic.start(scale.messagesPerSecond());
                assertThat(poker.answerTo(stuck, "ack me if you can")).isEqualTo("queued");
                assertThat(never.next("message").getString("message")).isEqualTo("ack me if you can");
                closed = never.awaitClosed();
                // the broker's timeout and two of its checks pass with traffic on the shared channel
                long accepted = ledger.report().accepted();
                await().pollDelay(BROKER_TIMEOUT.plusSeconds(2)).atMost(Duration.ofSeconds(60))
                        .until(() -> ledger.report().accepted() > accepted + 100);
            }
            traffic.stop();
            ledger.awaitAnswered(Duration.ofSeconds(30));
            ledger.awaitSettled(Duration.ofSeconds(60));
        }
        DeliveryLedger.Report report = ledger.report().write("fault: consumer_timeout " + BROKER_TIMEOUT.toSeconds()
                + " s at the broker, chat.delivery.ack-timeout 2 s, one user never acks; " + scale.users()
                + " users at " + scale.messagesPerSecond() + " msg/s on the same consumer channel");
        assertThat(closed.code()).as("the never-acking user's close").isEqualTo(1008);
        assertThat(closed.reason()).contains("not acknowledged");
        assertThat(report.unanswered()).as("sends the sender heard nothing about").isZero();
        assertThat(report.duplicates()).as("deliveries to the others that came twice (a reset channel)").isZero();
        report.assertNothingLost();
    }
}
