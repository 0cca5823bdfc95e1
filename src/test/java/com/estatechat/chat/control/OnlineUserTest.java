package com.estatechat.chat.control;

import com.estatechat.chat.limits.UserBudget;
import com.estatechat.chat.limits.FrameRateLimit;
import com.estatechat.json.JsonCodec;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.amqp.control.InboxDelivery;
import com.estatechat.amqp.control.InboxListener;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.amqp.control.Inboxes;
import com.estatechat.amqp.control.TestSubscriptions;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.chat.entity.MessageFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One user's lane, driven task by task: the lane runs each task at once, on the test's thread. */
class OnlineUserTest {

    private final JsonCodec codec = new JsonCodec();
    private final StartingInboxes inboxes = new StartingInboxes();
    private final CompletableFuture<InboxSubscription> started = inboxes.started;
    private final OnlineUser bob = new OnlineUser("bob", Runnable::run, inboxes, codec, new ChatMetrics(),
            new UserBudget(new FrameRateLimit(20, 40)));
    private final FakeSession fake = new FakeSession();
    private final ChatConnection connection = new ChatConnection(fake.session, Identity.of("bob", Role.TENANT),
            "{\"type\":\"connected\"}", 100, 1 << 20);

    /**
     * The CI flake of {@code DeliveryIT.unackedMessagesComeAgain…}: a message waiting in the inbox
     * reaches the server as soon as the consumer starts, before the subscription is complete and
     * the connection greeted. It was then sent as if another connection had had it.
     */
    @Test
    void aMessageThatArrivesBeforeTheGreetingIsAFirstDelivery() {
        bob.join(connection);
        InboxSubscription subscription = TestSubscriptions.unconnected("bob", bob);
        bob.onDelivery(subscription, delivery(1, "m1", false));

        started.complete(subscription);

        assertThat(fake.written).hasSize(2);
        assertThat(fake.written.get(0)).contains("connected");
        assertThat(codec.fromJson(fake.written.get(1), MessageFrame.class).redelivered()).isFalse();
    }

    /** A connection that joins while another holds a message unacked gets it marked redelivered. */
    @Test
    void aMessageShownToAnotherConnectionComesMarkedRedelivered() {
        bob.join(connection);
        InboxSubscription subscription = TestSubscriptions.unconnected("bob", bob);
        started.complete(subscription);
        bob.onDelivery(subscription, delivery(1, "m1", false));
        FakeSession phone = new FakeSession();

        bob.join(new ChatConnection(phone.session, Identity.of("bob", Role.TENANT), "{\"type\":\"connected\"}", 100,
                1 << 20));

        assertThat(phone.written).hasSize(2);
        assertThat(codec.fromJson(phone.written.get(1), MessageFrame.class).redelivered()).isTrue();
    }

    /**
     * A redelivery is decoded when it arrives; its ack records the message's fields in the store
     * from what was decoded then, not from the JSON again.
     */
    @Test
    void aRedeliveredMessageKeepsWhatWasDecodedOnArrivalForItsAck() {
        PendingDelivery pending = pendingAfterDelivering(true);

        assertThat(pending.decodedFrame()).isEqualTo(
                MessageFrame.of("m1", "alice", "landlord", "bob", "hello", "2026-11-30T00:00:00Z"));
        assertThat(pending.withDecodedFrame(codec)).isSameAs(pending);
    }

    /** A first delivery goes out as it came, undecoded; its ack decodes it once, and a retried ack not again. */
    @Test
    void aFirstDeliveryIsDecodedOnceByItsAck() {
        PendingDelivery pending = pendingAfterDelivering(false);
        assertThat(pending.decodedFrame()).isNull();
        PendingDelivery decoded = pending.withDecodedFrame(codec);
        bob.restorePending(decoded); // the ack was not recorded: the client sends it again

        PendingDelivery again = bob.takePending("m1");
        assertThat(again).isSameAs(decoded);
        assertThat(again.withDecodedFrame(codec)).isSameAs(decoded);
        assertThat(decoded.decodedFrame().message()).isEqualTo("hello");
    }

    /**
     * Found by reading: after a lost consumer, the one that replaces it delivers before the lane
     * takes it as current. A receipt it delivered that no connection could read was dropped as if
     * its consumer were gone, and stayed unacked on a live channel: the sender never got it.
     */
    @Test
    void aReceiptFromTheConsumerThatIsStartingIsKeptWhenNoConnectionReadIt() {
        List<CompletableFuture<InboxSubscription>> consumers = new java.util.ArrayList<>();
        Inboxes twoConsumers = new Inboxes() {
            @Override
            public CompletableFuture<InboxSubscription> subscribe(String userId, List<String> bind,
                    List<String> unbind, InboxListener listener) {
                CompletableFuture<InboxSubscription> next = new CompletableFuture<>();
                consumers.add(next);
                return next;
            }

            @Override
            public boolean brokerConnected() {
                return true;
            }
        };
        OnlineUser carol = new OnlineUser("carol", Runnable::run, twoConsumers, codec, new ChatMetrics(),
            new UserBudget(new FrameRateLimit(20, 40)));
        FakeSession laptop = new FakeSession();
        ChatConnection first = new ChatConnection(laptop.session, Identity.of("carol", Role.TENANT),
                "{\"type\":\"connected\"}", 100, 1 << 20);
        carol.join(first);
        InboxSubscription lost = TestSubscriptions.unconnected("carol", carol);
        consumers.get(0).complete(lost);
        carol.onLost(lost, "the broker closed its channel");
        InboxSubscription replacement = TestSubscriptions.unconnected("carol", carol);
        assertThat(consumers).hasSize(2);

        carol.onDelivery(replacement, receipt(7, "r1"));
        FakeSession phone = new FakeSession();
        carol.join(new ChatConnection(phone.session, Identity.of("carol", Role.TENANT), "{\"type\":\"connected\"}",
                100, 1 << 20));
        first.close(jakarta.websocket.CloseReason.CloseCodes.GOING_AWAY, "gone"); // before it proved it read it
        carol.leave(first);
        consumers.get(1).complete(replacement);

        assertThat(phone.written).anySatisfy(frame -> assertThat(frame).contains("\"r1\""));
    }

    /**
     * The CI flake of {@code FlappingClientsChaosIT}: a receipt went to a connection that closed
     * while the container held the frame, and the container never reported it. The receipt waited
     * for that report while the user stayed online on another connection.
     */
    @Test
    void aReceiptOnAConnectionThatClosesWhileTheContainerHoldsItGoesToTheOtherConnection() {
        bob.join(connection);
        InboxSubscription subscription = TestSubscriptions.unconnected("bob", bob);
        started.complete(subscription);
        fake.completeSends = false;
        bob.onDelivery(subscription, receipt(3, "r3"));
        FakeSession phone = new FakeSession();
        bob.join(new ChatConnection(phone.session, Identity.of("bob", Role.TENANT), "{\"type\":\"connected\"}", 100,
                1 << 20));

        connection.closed(); // the container never reports the laptop's frame
        bob.leave(connection);

        assertThat(phone.written).anySatisfy(frame -> assertThat(frame).contains("\"r3\""));
    }

    /**
     * Receipts that travelled to bob's inbox in one broker message (see {@link ReceiptCoalescer})
     * go out as their own frames, in order; the delivery is settled once, when the client proved
     * it read the last of them.
     */
    @Test
    void receiptsThatTravelledTogetherGoOutInOrderAndAreSettledOnceTheLastWasRead() {
        List<Runnable> channelWork = new java.util.ArrayList<>();
        bob.join(connection);
        InboxSubscription subscription = TestSubscriptions.recording("bob", bob, channelWork);
        started.complete(subscription);

        bob.onDelivery(subscription, receipts(4, "m1", "m2", "m3"));

        assertThat(fake.written.subList(1, fake.written.size()))
                .extracting(frame -> codec.fromJson(frame, com.estatechat.chat.entity.ReceiptFrame.class).messageId())
                .containsExactly("m1", "m2", "m3");
        assertThat(channelWork).as("settled before the client proved it read them").isEmpty();
        assertThat(fake.pings).hasSize(1);
        connection.ponged(fake.pings.get(0).duplicate());
        assertThat(channelWork).as("the one ack of the delivery").hasSize(1);
    }

    /**
     * A recipient may ack before the broker's confirm of the message reaches the sender's node
     * (see {@code RelayTest}); receipts that travelled together wait until every send they are
     * about was answered, then go out in their order.
     */
    @Test
    void receiptsThatTravelledTogetherWaitForTheAnswerToEachOfTheirSends() {
        bob.join(connection);
        InboxSubscription subscription = TestSubscriptions.unconnected("bob", bob);
        started.complete(subscription);
        bob.sending("m1");
        bob.sending("m3");

        bob.onDelivery(subscription, receipts(4, "m1", "m2", "m3"));
        bob.answered("m3");
        assertThat(fake.written).as("only the greeting: m1 is not answered yet").hasSize(1);
        bob.answered("m1");

        assertThat(fake.written.subList(1, fake.written.size()))
                .extracting(frame -> codec.fromJson(frame, com.estatechat.chat.entity.ReceiptFrame.class).messageId())
                .containsExactly("m1", "m2", "m3");
    }

    /**
     * Issue 21: a client that answers pings but never acks held its delivery until the broker's
     * {@code consumer_timeout} closed the consumer channel of fifty users. Now the heartbeat's round
     * has the lane close that one connection past {@code chat.delivery.ack-timeout}, and no sooner.
     */
    @Test
    void aConnectionThatHoldsAMessageUnackedPastTheAckTimeoutIsClosed() {
        long[] now = {0};
        bob.clock = () -> now[0];
        bob.join(connection);
        started.complete(TestSubscriptions.unconnected("bob", bob));
        bob.onDelivery(started.join(), delivery(1, "m1", false));

        now[0] = Duration.ofSeconds(3).toNanos();
        bob.heartbeat(Duration.ofSeconds(3), false);
        assertThat(fake.closedWith).as("closed at the deadline, not past it").isNull();
        now[0] += 1;
        bob.heartbeat(Duration.ofSeconds(3), false);

        assertThat(fake.closedWith.getCloseCode().getCode()).isEqualTo(1008);
        assertThat(fake.closedWith.getReasonPhrase()).isEqualTo("delivery not acknowledged within 3 s");
    }

    /** An ack in time settles the delivery: the connection holds nothing, however long it stays. */
    @Test
    void aConnectionThatAckedInTimeStaysOpen() {
        long[] now = {0};
        bob.clock = () -> now[0];
        bob.join(connection);
        started.complete(TestSubscriptions.unconnected("bob", bob));
        bob.onDelivery(started.join(), delivery(1, "m1", false));
        now[0] = Duration.ofSeconds(1).toNanos();
        assertThat(bob.takePending("m1")).isNotNull(); // the ack, as Relay takes it

        now[0] = Duration.ofMinutes(10).toNanos();
        bob.heartbeat(Duration.ofSeconds(3), false);

        assertThat(fake.closedWith).isNull();
    }

    /**
     * What the lane remembers of deliveries that left it, so that an ack of one again is not an
     * error, stays bounded: a minute, and the last {@link OnlineUser#RELEASED_KEPT}.
     */
    @Test
    void aReleasedDeliveryIsRememberedForAMinuteAndAmongTheLastFew() {
        long[] now = {0};
        bob.clock = () -> now[0];
        bob.join(connection);
        started.complete(TestSubscriptions.unconnected("bob", bob));
        for (int i = 0; i <= OnlineUser.RELEASED_KEPT; i++) {
            bob.onDelivery(started.join(), delivery(i + 1, "m" + i, false));
            assertThat(bob.takePending("m" + i)).isNotNull();
        }
        assertThat(bob.releasedLately("m0")).as("past the last " + OnlineUser.RELEASED_KEPT).isFalse();
        assertThat(bob.releasedLately("m1")).isTrue();
        assertThat(bob.releasedLately("unknown")).isFalse();

        now[0] = OnlineUser.RELEASED_FOR.toNanos();
        assertThat(bob.releasedLately("m1")).as("a minute on").isTrue();
        now[0] += 1;
        assertThat(bob.releasedLately("m1")).as("past the minute").isFalse();
    }

    /**
     * A connection that joins while another holds a message is sent it then, and holds it from then
     * on: it is not closed for the time the other held it.
     */
    @Test
    void aConnectionThatJoinedLaterHoldsTheMessageFromItsGreeting() {
        long[] now = {0};
        bob.clock = () -> now[0];
        bob.join(connection);
        started.complete(TestSubscriptions.unconnected("bob", bob));
        bob.onDelivery(started.join(), delivery(1, "m1", false));
        now[0] = Duration.ofSeconds(2).toNanos();
        FakeSession phone = new FakeSession();
        bob.join(new ChatConnection(phone.session, Identity.of("bob", Role.TENANT), "{\"type\":\"connected\"}", 100,
                1 << 20));

        now[0] = Duration.ofSeconds(4).toNanos();
        bob.heartbeat(Duration.ofSeconds(3), false);
        assertThat(fake.closedWith).isNotNull();
        assertThat(phone.closedWith).isNull();

        now[0] = Duration.ofSeconds(6).toNanos();
        bob.heartbeat(Duration.ofSeconds(3), false);
        assertThat(phone.closedWith.getReasonPhrase()).isEqualTo("delivery not acknowledged within 3 s");
    }

    /**
     * A receipt is a delivery too, settled once the connection proved it read it (on MQTT: its
     * PUBACK). A connection that never proves it holds the receipt's delivery as a never-acked
     * message would.
     */
    @Test
    void aConnectionThatNeverProvesItReadAReceiptIsClosedPastTheAckTimeout() {
        long[] now = {0};
        bob.clock = () -> now[0];
        bob.join(connection);
        started.complete(TestSubscriptions.unconnected("bob", bob));
        bob.onDelivery(started.join(), receipt(2, "r1"));
        assertThat(fake.pings).as("the proof ping, never answered").hasSize(1);

        now[0] = Duration.ofSeconds(5).toNanos();
        bob.heartbeat(Duration.ofSeconds(3), false);

        assertThat(fake.closedWith.getReasonPhrase()).isEqualTo("delivery not acknowledged within 3 s");
    }

    /** A receipt the connection proved it read is settled: nothing is held. */
    @Test
    void aConnectionThatProvedItReadAReceiptStaysOpen() {
        long[] now = {0};
        bob.clock = () -> now[0];
        bob.join(connection);
        started.complete(TestSubscriptions.unconnected("bob", bob));
        bob.onDelivery(started.join(), receipt(2, "r1"));
        connection.ponged(fake.pings.get(0).duplicate());

        now[0] = Duration.ofMinutes(10).toNanos();
        bob.heartbeat(Duration.ofSeconds(3), false);

        assertThat(fake.closedWith).isNull();
    }

    @Test
    void theCloseReasonSaysTheTimeoutInSecondsOrMilliseconds() {
        assertThat(OnlineUser.inWords(Duration.ofMinutes(5))).isEqualTo("300 s");
        assertThat(OnlineUser.inWords(Duration.ofMillis(1500))).isEqualTo("1500 ms");
    }

    /** What bob's lane holds, as an ack takes it, after message m1 reached his one connection. */
    private PendingDelivery pendingAfterDelivering(boolean redelivered) {
        bob.join(connection);
        InboxSubscription subscription = TestSubscriptions.unconnected("bob", bob);
        started.complete(subscription);
        bob.onDelivery(subscription, delivery(1, "m1", redelivered));
        return bob.takePending("m1");
    }

    private InboxDelivery receipt(long tag, String messageId) {
        String frame = codec.toJson(com.estatechat.chat.entity.ReceiptFrame.of(messageId, "delivered", "dave", null,
                "2026-11-30T00:00:00Z"));
        return new InboxDelivery(tag, false, InboxMessages.KIND_RECEIPT, "receipt-" + messageId,
                frame.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** Receipts of the given messages in one broker message, as {@link ReceiptCoalescer} writes it. */
    private InboxDelivery receipts(long tag, String... messageIds) {
        String body = java.util.Arrays.stream(messageIds).map(id -> codec.toJson(com.estatechat.chat.entity.ReceiptFrame
                .of(id, "delivered", "dave", null, "2026-11-30T00:00:00Z"))).collect(java.util.stream.Collectors.joining("\n"));
        return new InboxDelivery(tag, false, InboxMessages.KIND_RECEIPTS, "receipts-" + tag,
                body.getBytes(StandardCharsets.UTF_8), Map.of(InboxMessages.HEADER_RECEIPTS_OF, List.of(messageIds)));
    }

    private InboxDelivery delivery(long tag, String messageId, boolean redelivered) {
        String frame = codec.toJson(MessageFrame.of(messageId, "alice", "landlord", "bob", "hello", "2026-11-30T00:00:00Z"));
        return new InboxDelivery(tag, redelivered, InboxMessages.KIND_MESSAGE, messageId,
                frame.getBytes(StandardCharsets.UTF_8), Map.of(InboxMessages.HEADER_SENDER_ID, "alice"));
    }
}
