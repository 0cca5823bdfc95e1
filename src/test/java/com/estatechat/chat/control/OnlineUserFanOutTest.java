package com.estatechat.chat.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.amqp.control.InboxDelivery;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.amqp.control.NodeNotice;
import com.estatechat.amqp.control.NodeNotices;
import com.estatechat.amqp.control.TestSubscriptions;
import com.estatechat.chat.entity.MessageFrame;
import com.estatechat.chat.entity.ReceiptFrame;
import com.estatechat.chat.limits.FrameRateLimit;
import com.estatechat.chat.limits.UserBudget;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * One user's lane on a node of several: what it tells the other nodes (through a fake of
 * {@link NodeNotices} that records the notices, the broker's side) and what it does with theirs.
 * The lane runs each task at once, on the test's thread.
 */
class OnlineUserFanOutTest {

    private final JsonCodec codec = new JsonCodec();
    private final StartingInboxes inboxes = new StartingInboxes();
    private final CompletableFuture<InboxSubscription> started = inboxes.started;
    /** Each notice told: "type to-node user message-id". */
    private final List<String> told = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> bound = new CompletableFuture<>();
    private final NodeNotices nodes = new NodeNotices() {
        @Override
        public CompletableFuture<Void> join(String userId, Object stay) {
            told.add("join " + userId);
            return bound;
        }

        @Override
        public void leave(String userId, Object stay) {
            told.add("leave " + userId);
        }

        @Override
        public void here(String node, String userId) {
            told.add("here " + node + " " + userId);
        }

        @Override
        public void copy(String node, String userId, String messageId, String frame) {
            told.add("copy " + node + " " + userId + " " + messageId);
        }

        @Override
        public void ack(String node, String userId, String messageId) {
            told.add("ack " + node + " " + userId + " " + messageId);
        }
    };
    private final List<NodeNotice> handled = new CopyOnWriteArrayList<>();
    private final OnlineUser bob = new OnlineUser("bob", Runnable::run, inboxes, codec, new ChatMetrics(),
            new UserBudget(new FrameRateLimit(20, 40)), nodes);
    private final FakeSession laptop = new FakeSession();
    private final ChatConnection connection = connection(laptop);
    private final InboxSubscription subscription = TestSubscriptions.unconnected("bob", bob);

    @Test
    void aConnectionIsGreetedOnlyOnceTheNodeQueueIsBoundForTheUser() {
        bob.join(connection);
        started.complete(subscription);

        assertThat(told).containsExactly("join bob");
        assertThat(laptop.written).isEmpty();

        bound.complete(null);

        assertThat(laptop.written).singleElement().asString().contains("connected");
    }

    @Test
    void theHolderSendsANodeThatSaidHelloWhatItHoldsThenACopyOfEachDelivery() {
        online();
        bob.onDelivery(subscription, delivery(1, "m1"));

        hear(new NodeNotice(NodeNotices.HELLO, "bob", "node-b", null, null));
        bob.onDelivery(subscription, delivery(2, "m2"));

        assertThat(told).containsExactly("join bob", "here node-b bob", "copy node-b bob m1", "copy node-b bob m2");
    }

    @Test
    void aNodeThatSaidByeGetsNoMoreCopies() {
        online();
        hear(new NodeNotice(NodeNotices.HERE, "bob", "node-b", null, null));
        bob.onDelivery(subscription, delivery(1, "m1"));
        hear(new NodeNotice(NodeNotices.BYE, "bob", "node-b", null, null));
        bob.onDelivery(subscription, delivery(2, "m2"));

        assertThat(told).containsExactly("join bob", "copy node-b bob m1");
    }

    /**
     * A node killed by SIGKILL says no bye: a notice to it comes back ({@code gone}), and it is
     * dropped as a bye would; a live peer still gets its copies.
     */
    @Test
    void aPeerWhoseQueueIsGoneGetsNoMoreCopiesAndALivePeerDoes() {
        online();
        hear(new NodeNotice(NodeNotices.HERE, "bob", "node-b", null, null));
        hear(new NodeNotice(NodeNotices.HERE, "bob", "node-c", null, null));
        bob.onDelivery(subscription, delivery(1, "m1"));

        hear(new NodeNotice(NodeNotices.GONE, "bob", "node-c", null, null));
        hear(new NodeNotice(NodeNotices.GONE, "bob", "node-c", null, null)); // another notice to it came back
        bob.onDelivery(subscription, delivery(2, "m2"));

        assertThat(told).containsExactly("join bob", "copy node-b bob m1", "copy node-c bob m1", "join bob",
                "copy node-b bob m2");
    }

    /**
     * A node whose queue was only replaced (its broker connection came back, and it bound the new
     * queue for the user again) looked gone to a notice sent in between. The hello that followed
     * the gone reaches it there; its answer makes it a peer again, whose devices get copies again.
     */
    @Test
    void aPeerTakenForGoneThatAnswersTheHelloGetsCopiesAgain() {
        online();
        hear(new NodeNotice(NodeNotices.HERE, "bob", "node-b", null, null));
        hear(new NodeNotice(NodeNotices.GONE, "bob", "node-b", null, null));
        bob.onDelivery(subscription, delivery(1, "m1"));

        hear(new NodeNotice(NodeNotices.HERE, "bob", "node-b", null, null));
        bob.onDelivery(subscription, delivery(2, "m2"));

        assertThat(told).containsExactly("join bob", "join bob", "copy node-b bob m2");
    }

    /** The copies of a holder whose queue is gone are forgotten: a device's ack of one is no ack for it. */
    @Test
    void theCopiesOfAHolderWhoseQueueIsGoneAreForgotten() {
        online();
        hear(copy("m1"));
        hear(new NodeNotice(NodeNotices.GONE, "bob", "node-a", null, null));

        assertThat(bob.forwardAck("m1")).isFalse();
        assertThat(told).containsExactly("join bob");
    }

    /** Every notice is handled, also once the user has left: it keeps a place in the node's prefetch until then. */
    @Test
    void everyNoticeIsHandledAlsoAfterTheUserLeft() {
        online();
        NodeNotice first = copy("m1");
        hear(first);
        bob.leave(connection);
        NodeNotice late = copy("m2");
        hear(late);

        assertThat(handled).containsExactly(first, late);
    }

    @Test
    void aCopyGoesToEachConnectionOnceAndItsAckToTheHolder() {
        online();
        hear(copy("m1"));
        hear(copy("m1")); // the holder's answer to another hello

        assertThat(laptop.written).hasSize(2);
        assertThat(codec.fromJson(laptop.written.get(1), MessageFrame.class).messageId()).isEqualTo("m1");

        assertThat(bob.forwardAck("m1")).isTrue();
        assertThat(told).containsExactly("join bob", "ack node-a bob m1");
        assertThat(bob.forwardAck("m1")).isFalse();
        assertThat(bob.releasedLately("m1")).as("a second device's ack is no error").isTrue();
    }

    @Test
    void aCopyThatCameBeforeTheGreetingGoesWithIt() {
        bob.join(connection);
        hear(copy("m1"));
        started.complete(subscription);
        bound.complete(null);

        assertThat(laptop.written).hasSize(2);
        assertThat(laptop.written.get(1)).contains("m1");
    }

    @Test
    void aLaterConnectionSaysHelloAgainAndGetsOnlyWhatItWasNotSent() {
        online();
        hear(copy("m1"));
        FakeSession phone = new FakeSession();

        bob.join(connection(phone));
        hear(copy("m1")); // the holder's answer to the phone's hello

        assertThat(told).containsExactly("join bob", "join bob");
        assertThat(phone.written).hasSize(2);
        assertThat(laptop.written).hasSize(2);
    }

    @Test
    void aCopyOfADeliveryHeldHereIsIgnoredAndTheLastLeaveUnbinds() {
        online();
        bob.onDelivery(subscription, delivery(1, "m1"));
        hear(copy("m1"));

        assertThat(laptop.written).hasSize(2);
        assertThat(bob.forwardAck("m1")).as("held here: settled here").isFalse();

        bob.leave(connection);

        assertThat(told).containsExactly("join bob", "leave bob");
    }

    /**
     * The holder went with a receipt it had copied here unproven, and this node holds it next,
     * from the inbox (ThreeNodesIT's second {@code delivered}): the connection shown the copy is not
     * shown it again, only asked to prove it read it, and its pong settles it.
     */
    @Test
    void aReceiptShownHereAsACopyIsProvenNotShownAgainWhenThisNodeHoldsItNext() {
        List<Runnable> channelWork = new CopyOnWriteArrayList<>();
        InboxSubscription consumer = TestSubscriptions.recording("bob", bob, channelWork);
        bound.complete(null);
        bob.join(connection);
        started.complete(consumer); // not active while node-a holds the inbox
        String receipt = codec.toJson(ReceiptFrame.of("m1", ReceiptFrame.DELIVERED, "dave", null, "2026-11-30T00:00:00Z"));
        hear(new NodeNotice(NodeNotices.COPY, "bob", "node-a", null, receipt));
        hear(new NodeNotice(NodeNotices.COPY, "bob", "node-a", null, receipt)); // again, from a next holder

        assertThat(laptop.written).containsExactly("{\"type\":\"connected\"}", receipt);

        bob.onDelivery(consumer, new InboxDelivery(7, true, InboxMessages.KIND_RECEIPT, "receipt-m1",
                receipt.getBytes(StandardCharsets.UTF_8), Map.of()));

        assertThat(laptop.written).as("not shown twice").hasSize(2);
        assertThat(laptop.pings).as("asked to prove it read it").hasSize(1);
        assertThat(channelWork).isEmpty();
        connection.ponged(laptop.pings.get(0).duplicate());
        assertThat(channelWork).as("settled by the pong").hasSize(1);
    }

    /** What a node remembers of the receipts it showed is bounded in time: an idle user's memory empties. */
    @Test
    void aReceiptShownLongAgoIsForgotten() {
        long[] now = {0};
        bob.clock = () -> now[0];
        online();
        String receipt = codec.toJson(ReceiptFrame.of("m1", ReceiptFrame.DELIVERED, "dave", null, "2026-11-30T00:00:00Z"));
        hear(new NodeNotice(NodeNotices.COPY, "bob", "node-a", null, receipt));

        now[0] = OnlineUser.RECEIPTS_SHOWN_FOR.plusSeconds(1).toNanos();
        bob.heartbeat(java.time.Duration.ofMinutes(5), false);
        hear(new NodeNotice(NodeNotices.COPY, "bob", "node-a", null, receipt));

        assertThat(laptop.written).containsExactly("{\"type\":\"connected\"}", receipt, receipt);
    }

    /**
     * Found by reading: a peer forgot a copy only once a device here acked it, or after 1,024
     * newer ones: a device that never acks kept up to 1,024 frames per user in memory for as long
     * as it stayed. A copy is now forgotten past the ack deadline, at the heartbeat's round.
     */
    @Test
    void aCopyNoDeviceHereAckedIsForgottenPastTheAckDeadline() {
        long[] now = {0};
        bob.clock = () -> now[0];
        online();
        hear(copy("m1"));
        java.time.Duration ackTimeout = java.time.Duration.ofMinutes(5);

        now[0] = ackTimeout.toNanos();
        bob.heartbeat(ackTimeout, false);
        hear(copy("m2"));
        now[0] = ackTimeout.plusSeconds(1).toNanos();
        bob.heartbeat(ackTimeout, false);

        assertThat(bob.forwardAck("m1")).as("forgotten").isFalse();
        assertThat(bob.forwardAck("m2")).as("within the deadline").isTrue();
    }

    /** Each notice as the registry hands it over; {@link #handled} has those the lane is done with. */
    private void hear(NodeNotice notice) {
        bob.onNotice(notice, () -> handled.add(notice));
    }

    private void online() {
        bound.complete(null);
        bob.join(connection);
        started.complete(subscription);
    }

    private NodeNotice copy(String messageId) {
        String frame = codec.toJson(MessageFrame.of(messageId, "alice", "landlord", "bob", "hello",
                "2026-11-30T00:00:00Z"));
        return new NodeNotice(NodeNotices.COPY, "bob", "node-a", messageId, frame);
    }

    private ChatConnection connection(FakeSession session) {
        return new ChatConnection(session.session, Identity.of("bob", Role.TENANT), "{\"type\":\"connected\"}", 100,
                1 << 20);
    }

    private InboxDelivery delivery(long tag, String messageId) {
        String frame = codec.toJson(MessageFrame.of(messageId, "alice", "landlord", "bob", "hello",
                "2026-11-30T00:00:00Z"));
        return new InboxDelivery(tag, false, InboxMessages.KIND_MESSAGE, messageId,
                frame.getBytes(StandardCharsets.UTF_8), Map.of(InboxMessages.HEADER_SENDER_ID, "alice"));
    }
}
