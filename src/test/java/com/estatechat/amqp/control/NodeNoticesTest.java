package com.estatechat.amqp.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' notices on a real RabbitMQ (no server): what a node holds of the others' notices, and
 * what it learns when a notice to a node comes back.
 */
class NodeNoticesTest {

    final TestNodes nodes = new TestNodes();
    final NodeNotices nodeA = nodes.node();
    final NodeNotices nodeB = nodes.node();
    final Heard heardByA = new Heard();
    final Heard heardByB = new Heard();

    @AfterEach
    void close() throws Exception {
        nodes.close();
    }

    private void start() throws Exception {
        nodeA.listen(heardByA);
        nodeB.listen(heardByB);
        nodeA.join("bob", this).get(10, TimeUnit.SECONDS);
    }

    /**
     * Found by reading: notices were consumed with auto ack, so whatever the broker pushed while the
     * users' lanes were slow waited in the node's memory, without a bound. The node now holds at
     * most {@link NodeNotices#PREFETCH} not yet handled; the rest wait in its queue at the broker.
     */
    @Test
    void noticesBeyondThePrefetchWaitAtTheBrokerUntilThoseHeldAreHandled() throws Exception {
        start();
        int sent = NodeNotices.PREFETCH * 3;
        sendToA(sent, "node-x");

        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.notices.size() >= NodeNotices.PREFETCH);
        TimeUnit.MILLISECONDS.sleep(300); // what more the broker would push meanwhile
        assertThat(heardByA.notices.size()).as("notices held").isEqualTo(NodeNotices.PREFETCH);

        heardByA.handleAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.notices.size() == 2 * NodeNotices.PREFETCH);
        heardByA.handleAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.notices.size() == sent);
    }

    /** A notice the listener never sees (this node's own, come back through its binding) is settled too. */
    @Test
    void noticesNoOneHearsAreSettledAndKeepNoPlace() throws Exception {
        start();
        sendToA(NodeNotices.PREFETCH * 2, nodeA.nodeId());
        sendToA(5, "node-x");

        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.notices.size() == 5);
    }

    /**
     * A new broker connection replaces the notices' channel. The node's queue stays (it was
     * auto-delete: gone with its consumer for a moment, in which a notice to it came back as if
     * the node were dead), so what the old channel held comes again on the new one. The tags of
     * the old one mean nothing on the new one: their late handling acks nothing there.
     */
    @Test
    void aNewChannelTakesWhatTheOldOneHeldAndForgetsItsTags() throws Exception {
        start();
        sendToA(10, "node-x");
        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.notices.size() == 10);

        nodeA.onConnected(new BrokerConnected(true));

        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.notices.size() == 20);
        heardByA.handleAll(); // the old channel's tags first
        sendToA(5, "node-x");
        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.notices.size() == 25);
        heardByA.handleAll();
        sendToA(5, "node-x");
        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.notices.size() == 30);
    }

    /**
     * Found by reading: a node killed by SIGKILL never says bye, and its queue goes with its
     * connection; the holder went on sending it a copy of each delivery, dropped by the broker
     * unseen. A notice to a node is now mandatory: it comes back when the node's queue is gone, and
     * the listener hears that node is gone for that user. A live node gets its notice.
     */
    @Test
    void aNoticeToANodeWhoseQueueIsGoneComesBackAsGoneAndALiveNodeGetsIt() throws Exception {
        start();
        nodeB.join("bob", this).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.types().contains(NodeNotices.HELLO));
        String dead = UUID.randomUUID().toString();

        nodeA.copy(nodeB.nodeId(), "bob", "m1", "{}");
        nodeA.copy(dead, "bob", "m2", "{}");

        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.types().contains(NodeNotices.GONE));
        NodeNotice gone = heardByA.notices.stream().filter(notice -> notice.type().equals(NodeNotices.GONE))
                .findFirst().orElseThrow();
        assertThat(gone.fromNode()).isEqualTo(dead);
        assertThat(gone.userId()).isEqualTo("bob");
        await().atMost(Duration.ofSeconds(10)).until(() -> heardByB.types().contains(NodeNotices.COPY));
        assertThat(heardByB.notices).filteredOn(notice -> notice.type().equals(NodeNotices.COPY))
                .singleElement().extracting(NodeNotice::messageId).isEqualTo("m1");
        assertThat(heardByA.types()).containsOnlyOnce(NodeNotices.GONE);
    }

    /**
     * Found by the connect storm's split (bench/results/2026-12-07-storm.md): each join waited for
     * the joins before it, one round trip each. Joins asked for together are now bound together;
     * each is answered only once its binding is in force, so another node's hello reaches it.
     */
    @Test
    void joinsAskedForTogetherAreEachBoundOnceAnswered() throws Exception {
        nodeA.listen(heardByA);
        nodeB.listen(heardByB);
        List<String> users = IntStream.range(0, 300).mapToObj(i -> "user" + i).toList();
        List<CompletableFuture<Void>> joins = users.stream().map(user -> nodeA.join(user, this)).toList();
        CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        for (String user : users) {
            nodeB.join(user, this).get(10, TimeUnit.SECONDS);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.notices.size() >= users.size());
        assertThat(heardByA.notices).extracting(NodeNotice::userId).containsExactlyInAnyOrderElementsOf(users);
        assertThat(heardByA.types()).containsOnly(NodeNotices.HELLO);
    }

    /** A leave asked for after a join, both not yet run, unbinds what that join bound. */
    @Test
    void aLeaveAfterAJoinNotYetBoundUnbindsIt() throws Exception {
        start();
        CompletableFuture<Void> joined = nodeA.join("carol", "stay");
        nodeA.leave("carol", "stay");
        joined.get(10, TimeUnit.SECONDS);

        nodeB.join("carol", this).get(10, TimeUnit.SECONDS);
        nodeB.join("bob", this).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(10)).until(() -> heardByA.notices.stream()
                .anyMatch(notice -> notice.userId().equals("bob") && notice.type().equals(NodeNotices.HELLO)));
        assertThat(heardByA.notices).extracting(NodeNotice::userId).doesNotContain("carol");
    }

    /** Notices as another node writes them, straight to node A's queue. */
    private void sendToA(int count, String from) throws Exception {
        try (Connection connection = new ConnectionFactory().newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            for (int i = 0; i < count; i++) {
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().type(NodeNotices.COPY)
                        .headers(Map.of("node", from, "user", "bob", "message", "m" + i)).build();
                channel.basicPublish("", nodes.prefix + "node." + nodeA.nodeId(), properties,
                        "{}".getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
        }
    }

    /** What a node's listener heard; the test says when each is handled. */
    static final class Heard implements NodeNoticeListener {
        final List<NodeNotice> notices = new CopyOnWriteArrayList<>();
        final List<Runnable> unhandled = new CopyOnWriteArrayList<>();

        @Override
        public void onNotice(NodeNotice notice, Runnable handled) {
            notices.add(notice);
            unhandled.add(handled);
        }

        void handleAll() {
            List<Runnable> now = List.copyOf(unhandled);
            unhandled.removeAll(now);
            now.forEach(Runnable::run);
        }

        List<String> types() {
            return notices.stream().map(NodeNotice::type).toList();
        }
    }
}
