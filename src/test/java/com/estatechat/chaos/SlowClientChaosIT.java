package com.estatechat.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A client that reads nothing while a sender floods it. The server takes at most
 * {@code chat.delivery.prefetch} of its messages from the broker (the rest wait in its inbox, so the
 * server's memory for it is bounded), the heartbeat closes it, other users chat on unaffected, and
 * when it comes back it gets every message.
 */
class SlowClientChaosIT {

    private static final int PREFETCH = 50;

    @Test
    void aClientThatReadsNothingCostsBoundedMemoryAndDisturbsNoOne() throws Exception {
        ChaosScale scale = ChaosScale.current();
        DeliveryLedger ledger = new DeliveryLedger("slow-client-" + scale.form());
        String prefix = "test.slow." + UUID.randomUUID().toString().substring(0, 8) + ".inbox.";
        String slow = Deployments.user("slow");
        String flooder = Deployments.user("flooder");
        List<String> others = List.of(Deployments.user("o1"), Deployments.user("o2"), Deployments.user("o3"),
                Deployments.user("o4"));
        String report;
        try (PayaraMicroProcess server = new PayaraMicroProcess(Deployments.chat("slow", ChaosScale.settings(
                "chat.amqp.inbox-prefix", prefix,
                "chat.delivery.prefetch", String.valueOf(PREFETCH),
                // the flood is one sender's, larger than its share of the inbox: this run is about the prefetch
                "chat.inbox.max-per-sender", "0",
                "chat.heartbeat.interval", "2s", "chat.heartbeat.timeout", "10s")));
                ChaosTraffic traffic = new ChaosTraffic(others);
                Connection broker = new ConnectionFactory().newConnection("slow-client-check")) {
            URI root = server.start();
            ChaosClient silent = ChaosClient.connectSilent(root, slow, ledger);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> inbox(broker, prefix + slow) != null && inbox(broker, prefix + slow).getConsumerCount() == 1);
            others.forEach(user -> traffic.put(ChaosClient.connect(root, user, ledger, 0)));
            traffic.start(40);
            ChaosClient sender = ChaosClient.connect(root, flooder, ledger, 0);
            for (int i = 0; i < scale.slowClientMessages(); i++) {
                sender.sendMessage(slow);
            }
            // the others' traffic goes on meanwhile: only the flooder's messages are all answered at one moment
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(ledger.unansweredFrom(flooder)).as("the flooder's messages are all answered").isZero());

            // the server holds at most the prefetch window of them; the broker keeps the rest
            long ready = inbox(broker, prefix + slow).getMessageCount();
            assertThat(ready).as("messages left in the silent client's inbox")
                    .isGreaterThanOrEqualTo(scale.slowClientMessages() - PREFETCH);

            // it reads nothing, so it cannot see the close: the heartbeat's effect shows in the broker,
            // where the server's consumer is gone and every unacked message is back in the inbox
            await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
                AMQP.Queue.DeclareOk afterClose = inbox(broker, prefix + slow);
                assertThat(afterClose.getConsumerCount()).as("consumers on the silent client's inbox").isZero();
                assertThat(afterClose.getMessageCount()).isEqualTo(scale.slowClientMessages());
            });
            silent.abort();
            traffic.stop();
            // the others were never held up: everything between them settles
            ledger.awaitSettled(Duration.ofSeconds(30));
            String othersLatency = ledger.latency(Set.copyOf(others));

            ChaosClient back = ChaosClient.connect(root, slow, ledger, 0);
            ledger.awaitSettled(Duration.ofSeconds(60));
            back.close();
            sender.close();
            report = "server took at most " + (scale.slowClientMessages() - ready) + " of "
                    + scale.slowClientMessages() + " messages for the silent client (prefetch " + PREFETCH
                    + "); latency between the other users meanwhile: " + othersLatency;
        }
        DeliveryLedger.Report result = ledger.report().write(report);
        result.assertNothingLost();
        assertThat(result.refused()).isEmpty();
    }

    /** The queue's counts, or null while it does not exist (a failed passive declare closes its channel). */
    private static AMQP.Queue.DeclareOk inbox(Connection broker, String queue) throws Exception {
        try (Channel channel = broker.createChannel()) {
            return channel.queueDeclarePassive(queue);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
