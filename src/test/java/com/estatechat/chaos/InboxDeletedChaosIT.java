package com.estatechat.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.RabbitMqNode;
import com.estatechat.support.TcpProxy;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A user's inbox deleted under its consumer while 20 others chat, all on one shared consumer
 * channel (issue 21's fault matrix). The broker cancels that consumer; the server asks whether the
 * inbox is gone (a passive declare) and either closes the user's sessions with 1008 {@code user
 * removed} or, when the inbox is there again, subscribes the user anew (docs/protocol.md: Broker
 * outages). Either way the user held deliveries on the shared channel when it happened, and the
 * others must not notice: every send answered, nothing lost, nothing twice. The server reaches the
 * broker through a relay, so that the second case can hold its question until the inbox is back.
 */
class InboxDeletedChaosIT {

    static final String RUN = "test.inboxdeleted." + UUID.randomUUID().toString().substring(0, 8);
    static final String DEAD_LETTER = RUN + ".dead-letter";
    static final TcpProxy BROKER = TcpProxy.to(5672, true);
    static PayaraMicroProcess server;
    static URI root;

    @BeforeAll
    static void start() {
        server = new PayaraMicroProcess(Deployments.chat("inboxdeleted", ChaosScale.settings(
                "chat.amqp.url", "amqp://guest:guest@127.0.0.1:" + BROKER.port(),
                "chat.amqp.exchange", RUN, "chat.amqp.inbox-prefix", RUN + ".inbox.",
                "chat.amqp.dead-letter-exchange", DEAD_LETTER,
                "chat.amqp.consumers-per-channel", "50")));
        root = server.start();
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            BROKER.close();
        }
    }

    @Test
    void aDeletedInboxClosesItsUserAloneWithUserRemoved() {
        run("inbox-deleted", "d", (victim, channel) -> {
            delete(channel, victim.userId());
            ChatClient.Closed closed = victim.awaitClosed();
            assertThat(closed.code()).as("the removed user's close").isEqualTo(1008);
            assertThat(closed.reason()).isEqualTo("user removed");
        });
    }

    @Test
    void anInboxDeclaredAgainBeforeTheServerLooksIsSubscribedAgain() {
        run("inbox-redeclared", "r", (victim, channel) -> {
            // the server learns of the cancel at once, but its passive declare reaches the broker after the new inbox
            BROKER.holdToBroker();
            try {
                delete(channel, victim.userId());
                channel.queueDeclare(RUN + ".inbox." + victim.userId(), true, false, false,
                        Map.of("x-queue-type", "classic", "x-dead-letter-exchange", DEAD_LETTER));
                channel.queueBind(RUN + ".inbox." + victim.userId(), RUN, victim.userId());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                BROKER.release();
            }
            try (ChatClient poker = ChatClient.connect(root, Deployments.user("poker"))) {
                assertThat(poker.answerTo(victim.userId(), "still here")).isEqualTo("queued");
            }
            JsonObject message = victim.next(frame -> "message".equals(frame.getString("type"))
                    && "still here".equals(frame.getString("message")));
            assertThat(message.getString("message")).isEqualTo("still here");
            assertThat(victim.isClosed()).as("the user whose consumer was lost, not its inbox").isFalse();
        });
    }

    /**
     * Traffic among 20 users; a 21st on the same consumer channel holds three deliveries unacked when
     * {@code fault} deletes its inbox; traffic on until more is accepted after it; the ledger's verdict.
     */
    private static void run(String scenario, String userPrefix, BiConsumer<ChatClient, Channel> fault) {
        ChaosScale scale = ChaosScale.current();
        DeliveryLedger ledger = new DeliveryLedger("fault-" + scenario + "-" + scale.form());
        List<String> users = scale.users(userPrefix);
        try (ChaosTraffic traffic = new ChaosTraffic(users);
                ChatClient victim = ChatClient.connect(root, Deployments.user("victim"));
                Connection operator = operator();
                Channel channel = operator.createChannel()) {
            users.forEach(user -> traffic.put(ChaosClient.connect(root, user, ledger, 0)));
            traffic.start(scale.messagesPerSecond());
            try (ChatClient poker = ChatClient.connect(root, Deployments.user("poker"))) {
                assertThat(poker.answersTo(victim.userId(), "hold me", 3)).containsOnly("queued");
            }
            for (int i = 0; i < 3; i++) {
                assertThat(victim.next("message").getString("message")).isEqualTo("hold me"); // and no ack
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> ledger.report().accepted() > 20);
            assertThat(consumerChannels()).as("channels the inboxes are consumed on").hasSize(1);
            fault.accept(victim, channel);
            long acceptedAfterFault = ledger.report().accepted();
            await().atMost(Duration.ofSeconds(60)).pollDelay(scale.trafficPerRound())
                    .until(() -> ledger.report().accepted() > acceptedAfterFault + 20);
            traffic.stop();
            ledger.awaitAnswered(Duration.ofSeconds(30));
            ledger.awaitSettled(Duration.ofSeconds(60));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        DeliveryLedger.Report report = ledger.report().write("fault: " + scenario + ", the inbox of a 21st user"
                + " holding 3 deliveries on the same consumer channel; " + scale.users() + " users at "
                + scale.messagesPerSecond() + " msg/s");
        assertThat(report.unanswered()).as("sends the sender heard nothing about").isZero();
        assertThat(report.refused()).as("refusals").isEmpty();
        assertThat(report.duplicates()).as("deliveries to the others that came twice (a reset channel)").isZero();
        report.assertNothingLost();
    }

    private static void delete(Channel channel, String userId) {
        try {
            channel.queueDelete(RUN + ".inbox." + userId);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The broker's channels that consume this run's inboxes. */
    private static java.util.Set<String> consumerChannels() {
        return RabbitMqNode.list("list_consumers", "queue_name", "channel_pid").stream()
                .map(line -> line.trim().split("\\s+")).filter(columns -> columns[0].startsWith(RUN + ".inbox."))
                .map(columns -> columns[1]).collect(java.util.stream.Collectors.toSet());
    }

    /** The test's own connection to the broker, not through the relay: an operator's. */
    private static Connection operator() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(System.getProperty("chat.test.amqp.url", "amqp://guest:guest@127.0.0.1:5672"));
        return factory.newConnection("test-operator");
    }
}
