package com.estatechat.chat.control;

import com.estatechat.chat.limits.UserBudget;
import com.estatechat.chat.limits.FrameRateLimit;
import com.estatechat.history.control.MessageIds;
import com.estatechat.json.JsonCodec;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.amqp.control.BrokerUnavailable;
import com.estatechat.amqp.control.InboxDelivery;
import com.estatechat.amqp.control.InboxListener;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.amqp.control.Inboxes;
import com.estatechat.amqp.control.OutgoingMessage;
import com.estatechat.amqp.control.PublishRefused;
import com.estatechat.amqp.control.Publisher;
import com.estatechat.amqp.control.TestSubscriptions;
import com.estatechat.auth.control.Admission;
import com.estatechat.auth.control.Permissions;
import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.chat.entity.ChatCommand;
import com.estatechat.chat.entity.ReceiptFrame;
import com.estatechat.history.control.HistoryFeed;
import com.estatechat.history.control.StoreReads;
import com.estatechat.history.control.HistorySettings;
import com.estatechat.history.control.TooManyReads;
import com.estatechat.settings.ChatSettings;
import com.estatechat.history.entity.HistoryEvent;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RelayTest {

    static final String AUTH_FRAME = "{\"type\":\"auth\",\"access_token\":\"a.b.c\"}";
    static final Instant SOON = Instant.now().plus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.SECONDS);
    static final Instant LATER = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);

    final List<CloseReason> closes = new ArrayList<>();
    final Relay cut = new Relay();
    final FakeSession fake = new FakeSession();
    /** What the auth mode says to a renewal: set by each test. */
    BiFunction<Identity, String, Admission> renewal;

    @BeforeEach
    void relay() {
        cut.codec = new JsonCodec();
        cut.metrics = new ChatMetrics();
        cut.settings = new ChatSettings(); // no inbox share unless a test sets one
        cut.parser = new FrameParser(cut.codec, 100);
        cut.heartbeat = new Heartbeat();
        cut.heartbeat.ticker = Heartbeat.newTicker();
        cut.heartbeat.registry = new SessionRegistry();
        cut.heartbeat.maxSession = java.time.Duration.ofHours(24);
        cut.identities = new IdentityResolver() {
            @Override
            public Admission renew(Identity current, String token) {
                return renewal.apply(current, token);
            }
        };
    }

    @AfterEach
    void stop() {
        cut.heartbeat.ticker.shutdownNow();
    }

    @Test
    void aFrameThatFailsUnexpectedlyClosesWith1011InsteadOfEscapingTheHandler() {
        cut.parser = new FrameParser(new JsonCodec(), 10) {
            @Override
            public ChatCommand parse(String text, Identity sender) {
                throw new IllegalStateException("a bug");
            }
        };
        ChatConnection connection = new ChatConnection(session(), Identity.of("alice", Role.TENANT), "{}", 10, 1 << 20);

        cut.onText(connection, "{}");

        assertThat(closes).singleElement().extracting(reason -> reason.getCloseCode().getCode()).isEqualTo(1011);
    }

    @Test
    void aRenewedTokenMovesTheSessionsExpiryAndIsAnsweredWithAuthOk() {
        ChatConnection connection = connection(SOON, 10);
        cut.heartbeat.closeAtExpiry(connection);
        renewal = (current, token) -> new Admission(new Identity("alice", Role.TENANT, LATER, null), null);

        cut.onText(connection, AUTH_FRAME);

        assertThat(fake.closedWith).isNull();
        assertThat(connection.identity().expiresAt()).isEqualTo(LATER);
        JsonObject answer = json(fake.written.get(0));
        assertThat(answer.getString("type")).isEqualTo("auth_ok");
        assertThat(Instant.parse(answer.getString("expires_at"))).isEqualTo(LATER);
        // one timer left, at the new expiry: the first token's no longer closes the session
        assertThat(cut.heartbeat.ticker.getQueue()).singleElement()
                .satisfies(timer -> assertThat(((Delayed) timer).getDelay(TimeUnit.MINUTES)).isGreaterThan(100));
    }

    @Test
    void aTokenTheModeRefusesClosesWith1008() {
        ChatConnection connection = connection(SOON, 10);
        renewal = (current, token) -> new Admission(null, HandshakeRefusal.unauthorized("the token is not valid: expired"));

        cut.onText(connection, AUTH_FRAME);

        assertThat(fake.closedWith.getCloseCode().getCode()).isEqualTo(1008);
        assertThat(fake.closedWith.getReasonPhrase()).isEqualTo("token not valid");
        assertThat(connection.identity().expiresAt()).isEqualTo(SOON);
    }

    @Test
    void anotherUsersTokenClosesWith1008WhoeverNoticesIt() {
        renewal = (current, token) -> new Admission(null, HandshakeRefusal.forbidden("the token is for another user"));
        ChatConnection refusedByTheMode = connection(SOON, 10);
        cut.onText(refusedByTheMode, AUTH_FRAME);
        assertThat(fake.closedWith.getCloseCode().getCode()).isEqualTo(1008);
        assertThat(fake.closedWith.getReasonPhrase()).isEqualTo("token is for another user or role");

        FakeSession second = new FakeSession();
        ChatConnection admittedByTheMode = joined(new ChatConnection(second.session,
                new Identity("alice", Role.TENANT, SOON, null), "{}", 10, 1 << 20), 10);
        renewal = (current, token) -> new Admission(new Identity("mallory", Role.TENANT, LATER, null), null);
        cut.onText(admittedByTheMode, AUTH_FRAME);
        assertThat(second.closedWith.getCloseCode().getCode()).isEqualTo(1008);
        assertThat(second.closedWith.getReasonPhrase()).isEqualTo("token is for another user");
        assertThat(admittedByTheMode.identity().userId()).isEqualTo("alice");
    }

    @Test
    void aTokenWithAnotherRoleClosesWith1008() {
        ChatConnection connection = connection(SOON, 10);
        renewal = (current, token) -> new Admission(new Identity("alice", Role.ADMIN, LATER, null), null);

        cut.onText(connection, AUTH_FRAME);

        assertThat(fake.closedWith.getCloseCode().getCode()).isEqualTo(1008);
        assertThat(connection.identity().role()).isEqualTo(Role.TENANT);
    }

    @Test
    void inAModeWithoutTokensAnAuthFrameIsBadFrameAndTheConnectionStays() {
        ChatConnection connection = connection(null, 10);
        renewal = (current, token) -> new Admission(null, HandshakeRefusal.badRequest("no tokens in this mode"));

        cut.onText(connection, AUTH_FRAME);

        assertThat(fake.closedWith).isNull();
        assertThat(json(fake.written.get(0)).getString("code")).isEqualTo("bad_frame");
    }

    @Test
    void authFramesCountInTheRateLimit() {
        ChatConnection connection = connection(SOON, 2);
        List<String> tokens = new ArrayList<>();
        renewal = (current, token) -> {
            tokens.add(token);
            return new Admission(new Identity("alice", Role.TENANT, LATER, null), null);
        };

        for (int i = 0; i < 3; i++) {
            cut.onText(connection, AUTH_FRAME);
        }

        assertThat(tokens).hasSize(2);
        assertThat(fake.written).extracting(text -> json(text).getString("type"))
                .containsExactly("auth_ok", "auth_ok", "error");
        assertThat(json(fake.written.get(2)).getString("code")).isEqualTo("rate_limited");
    }

    /**
     * The CI flake of {@code MqttIT.aUserOnWebSocketAndOnMqttAtOnce...}: the recipient's client
     * acked at once (Paho does), and its {@code delivered} receipt reached the sender's inbox
     * before the broker's confirm of the message reached the server (a confirm waits for the
     * disk). The sender heard {@code delivered} before {@code queued}; a status only moves
     * forward, so the receipt waits for the answer to the send.
     */
    @Test
    void aDeliveredReceiptThatComesBeforeTheConfirmWaitsForQueued() {
        CompletableFuture<Void> confirm = new CompletableFuture<>();
        List<OutgoingMessage> published = new ArrayList<>();
        cut.publisher = new Publisher() {
            @Override
            public CompletableFuture<Void> publish(int orderKey, OutgoingMessage message) {
                published.add(message);
                return confirm;
            }
        };
        everySendAllowedAndRecorded();
        Sender alice = connected("alice", new UserBudget(new FrameRateLimit(20, 40)));

        cut.onText(alice.connection(), "{\"target_id\":\"bob\",\"message\":\"hi\",\"client_msg_id\":\"c1\"}");
        String messageId = published.get(0).messageId();
        String delivered = cut.codec.toJson(ReceiptFrame.of(messageId, ReceiptFrame.DELIVERED, "bob", "c1",
                "2026-11-30T00:00:00Z"));
        alice.user().onDelivery(alice.inbox(), new InboxDelivery(1, false, InboxMessages.KIND_RECEIPT, "r1",
                delivered.getBytes(StandardCharsets.UTF_8), Map.of(InboxMessages.HEADER_RECEIPT_OF, messageId)));
        confirm.complete(null);

        assertThat(alice.socket().written).extracting(text -> json(text).getString("status", "connected"))
                .containsExactly("connected", "queued", "delivered");
    }

    /** Every send is allowed, gets an id, and its history event is taken at once. */
    private void everySendAllowedAndRecorded() {
        cut.permissions = new Permissions() {
            @Override
            public Optional<String> refusal(Identity sender, String target) {
                return Optional.empty();
            }
        };
        cut.ids = new MessageIds();
        cut.history = new HistoryFeed() {
            @Override
            public CompletableFuture<Void> record(HistoryEvent event) {
                return CompletableFuture.completedFuture(null);
            }
        };
    }

    /**
     * A user on a lane that runs each task at once, connected and greeted, with its inbox's
     * consumer, whose channel work (an ack…) is recorded in {@code channelWork}, not run. The broker
     * is down for it: a consumer it loses is not replaced.
     */
    private record Sender(OnlineUser user, ChatConnection connection, FakeSession socket, InboxSubscription inbox,
            List<Runnable> channelWork) {
    }

    private Sender connected(String userId, UserBudget budget) {
        CompletableFuture<InboxSubscription> started = new CompletableFuture<>();
        OnlineUser user = new OnlineUser(userId, Runnable::run, new Inboxes() {
            @Override
            public CompletableFuture<InboxSubscription> subscribe(String id, List<String> bind, List<String> unbind,
                    InboxListener listener) {
                return started;
            }

            @Override
            public boolean brokerConnected() {
                return false;
            }
        }, cut.codec, new ChatMetrics(), budget);
        FakeSession socket = new FakeSession();
        ChatConnection connection = new ChatConnection(socket.session, Identity.of(userId, Role.TENANT),
                "{\"type\":\"connected\"}", 100, 1 << 20);
        user.join(connection);
        List<Runnable> channelWork = new ArrayList<>();
        InboxSubscription inbox = TestSubscriptions.recording(userId, user, channelWork);
        started.complete(inbox);
        return new Sender(user, connection, socket, inbox, channelWork);
    }

    /**
     * Issue 22: one sender could fill an offline user's inbox ({@code chat.inbox.max-length}), and
     * then every other sender got {@code inbox_full}. Each sender now has a share of each inbox
     * ({@code chat.inbox.max-per-sender}, 3 here): past it that sender alone is refused, before
     * anything is published, until the recipient receives one of its messages. Its share outlives
     * its connection.
     */
    @Test
    void aSenderPastItsShareOfAnInboxIsRefusedAloneUntilTheRecipientReceivesOne() {
        List<OutgoingMessage> published = new ArrayList<>();
        cut.publisher = new Publisher() {
            @Override
            public CompletableFuture<Void> publish(int orderKey, OutgoingMessage message) {
                published.add(message);
                return CompletableFuture.completedFuture(null);
            }
        };
        everySendAllowedAndRecorded();
        cut.settings = new ChatSettings() {
            @Override
            public long inboxMaxLength() {
                return 10_000;
            }

            @Override
            public int inboxMaxPerSender() {
                return 3;
            }
        };
        UserBudget malloryBudget = new UserBudget(new FrameRateLimit(20, 40));
        Sender mallory = connected("mallory", malloryBudget);
        Sender alice = connected("alice", new UserBudget(new FrameRateLimit(20, 40)));
        String toBob = "{\"target_id\":\"bob\",\"message\":\"hi\"}";

        for (int i = 0; i < 4; i++) {
            cut.onText(mallory.connection(), toBob);
        }
        cut.onText(mallory.connection(), "{\"target_id\":\"carol\",\"message\":\"hi\"}");
        cut.onText(alice.connection(), toBob);

        assertThat(published).extracting(message -> message.headers().get(InboxMessages.HEADER_SENDER_ID)
                + ">" + message.recipient()).containsExactly("mallory>bob", "mallory>bob", "mallory>bob",
                        "mallory>carol", "alice>bob");
        assertThat(mallory.socket().written).extracting(text -> json(text).getString("status",
                json(text).getString("code", "connected")))
                .containsExactly("connected", "queued", "queued", "queued", "inbox_full", "queued");

        // bob received the first: mallory, connected again, may send one more
        mallory.user().leave(mallory.connection());
        Sender back = connected("mallory", malloryBudget);
        String delivered = cut.codec.toJson(ReceiptFrame.of(published.get(0).messageId(), ReceiptFrame.DELIVERED,
                "bob", null, "2026-12-07T03:00:00Z"));
        back.user().onDelivery(back.inbox(), new InboxDelivery(1, false, InboxMessages.KIND_RECEIPT, "r1",
                delivered.getBytes(StandardCharsets.UTF_8),
                Map.of(InboxMessages.HEADER_RECEIPT_OF, published.get(0).messageId())));
        cut.onText(back.connection(), toBob);
        cut.onText(back.connection(), toBob);

        assertThat(published).hasSize(6);
        assertThat(back.socket().written).extracting(text -> json(text).getString("status",
                json(text).getString("code", "connected")))
                .containsExactly("connected", "delivered", "queued", "inbox_full");
    }

    /**
     * Issue 21 (UndeployChaosIT): the shutdown closed sessions while their sends waited for a
     * confirm. It now waits for each user's answers, so a send that keeps coming must not keep it
     * waiting: once the shutdown began, a send is answered {@code unavailable} at once, never
     * published, and the user has no send left unanswered.
     */
    @Test
    void aSendDuringTheShutdownIsRefusedUnavailableAtOnce() {
        List<OutgoingMessage> published = new ArrayList<>();
        cut.publisher = new Publisher() {
            @Override
            public CompletableFuture<Void> publish(int orderKey, OutgoingMessage message) {
                published.add(message);
                return new CompletableFuture<>();
            }
        };
        cut.permissions = new Permissions() {
            @Override
            public Optional<String> refusal(Identity sender, String target) {
                return Optional.empty();
            }
        };
        cut.ids = new MessageIds();
        OnlineUser alice = new OnlineUser("alice", Runnable::run, null, cut.codec, new ChatMetrics(),
                new UserBudget(new FrameRateLimit(20, 40)));
        ChatConnection connection = new ChatConnection(fake.session, Identity.of("alice", Role.TENANT), "{}", 100,
                1 << 20);
        connection.joined(alice);

        cut.refuseSends(Duration.ofSeconds(5));
        cut.onText(connection, "{\"target_id\":\"bob\",\"message\":\"hi\",\"client_msg_id\":\"c1\"}");

        assertThat(published).isEmpty();
        JsonObject answer = json(fake.written.get(0));
        assertThat(answer.getString("code")).isEqualTo("unavailable");
        assertThat(answer.getString("client_msg_id")).isEqualTo("c1");
        // not stored, and said so: a client sends it again after the hint, as during a broker alarm
        assertThat(answer.getJsonNumber("retry_after_ms").longValue()).isEqualTo(5000);
        assertThat(alice.sendsAnswered().toCompletableFuture()).isDone();
    }

    /**
     * Issue 21, part 4 (b): receipts are promised at least once, but a {@code read} whose receipt
     * the broker did not take while its history event was stored was answered with nothing, which
     * tells the client it worked: the sender never heard of the read. Now the reader is told
     * {@code unavailable}, as when the event fails, and sends the read again.
     */
    @Test
    void aReadWhoseReceiptWasNotSentIsAnsweredUnavailableSoTheReaderSendsItAgain() {
        ChatConnection connection = readsBy("alice", failed(new BrokerUnavailable("the broker connection was lost")),
                CompletableFuture.completedFuture(null));

        cut.onText(connection, "{\"type\":\"read\",\"message_id\":\"" + READ_ID + "\"}");

        assertThat(fake.written).singleElement().extracting(RelayTest::json).satisfies(error -> {
            assertThat(error.getString("code")).isEqualTo("unavailable");
            assertThat(error.getString("message_id")).isEqualTo(READ_ID);
        });
    }

    @Test
    void aReadWhoseReceiptAndEventBothFailedIsRefusedOnce() {
        ChatConnection connection = readsBy("alice", failed(new BrokerUnavailable("the broker connection was lost")),
                failed(new BrokerUnavailable("the broker connection was lost")));

        cut.onText(connection, "{\"type\":\"read\",\"message_id\":\"" + READ_ID + "\"}");

        assertThat(fake.written).singleElement().extracting(text -> json(text).getString("code")).isEqualTo("unavailable");
    }

    /** Sending the read again cannot help a receipt that the sender's full inbox refused: as with an ack, it is dropped. */
    @Test
    void aReadWhoseReceiptTheSendersFullInboxRefusedIsNotRefused() {
        ChatConnection connection = readsBy("alice", failed(new PublishRefused("the inbox is full")),
                CompletableFuture.completedFuture(null));

        cut.onText(connection, "{\"type\":\"read\",\"message_id\":\"" + READ_ID + "\"}");

        assertThat(fake.written).isEmpty();
    }

    /**
     * Issue 22: a user past its share of the store's readers is told so, with when to try again,
     * and stays connected; neither frame is {@code unavailable}, which would send every client of
     * a healthy store into its outage handling.
     */
    @Test
    void aReadAndASyncPastTheUsersShareOfTheStoreAreRateLimitedWithTheWait() {
        ChatConnection connection = readsBy("alice", CompletableFuture.completedFuture(null),
                CompletableFuture.completedFuture(null));
        cut.store = new StoreReads() {
            @Override
            public <T> CompletableFuture<T> read(String readerId, Function<jakarta.persistence.EntityManager, T> query) {
                return CompletableFuture.failedFuture(new TooManyReads("too many", Duration.ofMillis(300)));
            }
        };
        cut.historySettings = new HistorySettings() {
            @Override
            public int syncLimit() {
                return 200;
            }
        };

        cut.onText(connection, "{\"type\":\"read\",\"message_id\":\"" + READ_ID + "\"}");
        cut.onText(connection, "{\"type\":\"sync\",\"since\":\"" + READ_ID + "\"}");

        assertThat(fake.written).extracting(RelayTest::json).satisfiesExactly(read -> {
            assertThat(read.getString("code")).isEqualTo("rate_limited");
            assertThat(read.getString("message_id")).isEqualTo(READ_ID);
            assertThat(read.getJsonNumber("retry_after_ms").longValue()).isEqualTo(300);
        }, sync -> {
            assertThat(sync.getString("code")).isEqualTo("rate_limited");
            assertThat(sync.getJsonNumber("retry_after_ms").longValue()).isEqualTo(300);
        });
        assertThat(closes).isEmpty();
    }

    @Test
    void aReadWhoseReceiptAndEventWereStoredIsNotAnswered() {
        ChatConnection connection = readsBy("alice", CompletableFuture.completedFuture(null),
                CompletableFuture.completedFuture(null));

        cut.onText(connection, "{\"type\":\"read\",\"message_id\":\"" + READ_ID + "\"}");

        assertThat(fake.written).isEmpty();
    }

    /**
     * BrokerClusterChaosIT's long run: an ack answered {@code unavailable} (its receipt did not
     * reach the broker while a node stopped) was sent again by the client, as the protocol asks,
     * but meanwhile the consumer that had delivered the message was lost with its channel. The
     * message had gone back to the inbox, and the ack sent again was refused
     * {@code unknown_message}, although nothing was wrong with it: the message comes again,
     * {@code redelivered}, and the client acks that delivery in turn.
     */
    @Test
    void anAckSentAgainAfterItsConsumerWasLostIsNotAnErrorAndTheRedeliveryIsAckedInTurn() {
        acksSettleWith(failed(new BrokerUnavailable("the broker connection was lost")),
                CompletableFuture.completedFuture(null));
        Sender bob = connected("bob", new UserBudget(new FrameRateLimit(20, 40)));
        bob.user().onDelivery(bob.inbox(), message(7, MESSAGE_ID, false));

        cut.onText(bob.connection(), ACK);
        bob.user().onLost(bob.inbox(), "the channel was closed");
        cut.onText(bob.connection(), ACK); // sent again, as the refusal asked

        assertThat(bob.socket().written).extracting(RelayTest::typeOrCode)
                .containsExactly("connected", "message", "unavailable");
        assertThat(bob.channelWork()).as("nothing acked on the lost channel").isEmpty();

        List<Runnable> secondChannel = new ArrayList<>();
        InboxSubscription second = TestSubscriptions.recording("bob", bob.user(), secondChannel);
        bob.user().onDelivery(second, message(1, MESSAGE_ID, true));
        cut.onText(bob.connection(), ACK);

        assertThat(bob.socket().written).extracting(RelayTest::typeOrCode)
                .containsExactly("connected", "message", "unavailable", "message");
        assertThat(json(bob.socket().written.get(3)).getBoolean("redelivered")).isTrue();
        assertThat(secondChannel).as("the redelivery's ack").hasSize(1);
    }

    /**
     * An ack for a message this user's connections settled already (another device acked first, or
     * the same ack came twice) changes nothing and is not answered; an ack for a message never
     * delivered here is still {@code unknown_message}.
     */
    @Test
    void anAckOfAMessageAlreadySettledIsNotAnsweredButAnAckOfAnUnknownOneIs() {
        acksSettleWith(CompletableFuture.completedFuture(null));
        Sender bob = connected("bob", new UserBudget(new FrameRateLimit(20, 40)));
        bob.user().onDelivery(bob.inbox(), message(7, MESSAGE_ID, false));

        cut.onText(bob.connection(), ACK);
        cut.onText(bob.connection(), ACK);
        cut.onText(bob.connection(), "{\"type\":\"ack\",\"message_id\":\"" + READ_ID + "\"}");

        assertThat(bob.socket().written).extracting(RelayTest::typeOrCode)
                .containsExactly("connected", "message", "unknown_message");
        assertThat(json(bob.socket().written.get(2)).getString("message_id")).isEqualTo(READ_ID);
        assertThat(bob.channelWork()).as("one ack").hasSize(1);
    }

    static final String MESSAGE_ID = "01a24db7-0ce0-7422-b2c1-c413e6c2e9c0";
    static final String ACK = "{\"type\":\"ack\",\"message_id\":\"" + MESSAGE_ID + "\"}";

    /** Each ack's history event is stored; its receipts end as given, one ack after the other. */
    @SafeVarargs
    private void acksSettleWith(CompletableFuture<Void>... receipts) {
        List<CompletableFuture<Void>> outcomes = new ArrayList<>(List.of(receipts));
        cut.receipts = new ReceiptCoalescer() {
            @Override
            public CompletableFuture<Void> send(String senderId, String frame, String aboutMessageId) {
                return outcomes.remove(0);
            }
        };
        cut.history = new HistoryFeed() {
            @Override
            public CompletableFuture<Void> record(HistoryEvent event) {
                return CompletableFuture.completedFuture(null);
            }
        };
    }

    /** Alice's message to bob as his inbox delivers it. */
    private InboxDelivery message(long tag, String messageId, boolean redelivered) {
        String frame = cut.codec.toJson(com.estatechat.chat.entity.MessageFrame.of(messageId, "alice", "landlord", "bob",
                "hello", "2026-12-07T06:00:00Z"));
        return new InboxDelivery(tag, redelivered, InboxMessages.KIND_MESSAGE, messageId,
                frame.getBytes(StandardCharsets.UTF_8), Map.of(InboxMessages.HEADER_SENDER_ID, "alice"));
    }

    /** An error frame's code, any other frame's type. */
    private static String typeOrCode(String text) {
        JsonObject frame = json(text);
        return frame.getString("code", frame.getString("type"));
    }

    static final String READ_ID = "01a24db7-0ce0-7422-b2c1-c413e6c2e9bf";

    /** A connection of {@code readerId}; bob sent the message it reads; the receipt and the event end as given. */
    private ChatConnection readsBy(String readerId, CompletableFuture<Void> receipt, CompletableFuture<Void> event) {
        cut.settings = new ChatSettings() {
            @Override
            public long inboxMaxLength() {
                return 1000;
            }
        };
        cut.store = new StoreReads() {
            @Override
            @SuppressWarnings("unchecked")
            public <T> CompletableFuture<T> read(String readerId,
                    Function<jakarta.persistence.EntityManager, T> query) {
                return CompletableFuture.completedFuture((T) Optional.of("bob"));
            }
        };
        cut.history = new HistoryFeed() {
            @Override
            public CompletableFuture<Void> record(HistoryEvent recorded) {
                assertThat(recorded.event()).isEqualTo(HistoryEvent.READ);
                return event;
            }
        };
        cut.receipts = new ReceiptCoalescer() {
            @Override
            public CompletableFuture<Void> send(String senderId, String frame, String aboutMessageId) {
                assertThat(senderId).isEqualTo("bob");
                return receipt;
            }
        };
        return joined(new ChatConnection(fake.session, Identity.of(readerId, Role.TENANT), "{}", 10, 1 << 20), 10);
    }

    private static CompletableFuture<Void> failed(Throwable failure) {
        return CompletableFuture.failedFuture(failure);
    }

    private ChatConnection connection(Instant expiresAt, int burst) {
        return joined(new ChatConnection(fake.session, new Identity("alice", Role.TENANT, expiresAt, null), "{}", 10,
                1 << 20), burst);
    }

    /** The connection as the registry leaves it: its user's frame budget is {@code burst}, refilled 1 a second. */
    private static ChatConnection joined(ChatConnection connection, int burst) {
        connection.joined(new OnlineUser(connection.userId(), Runnable::run, null, null, new ChatMetrics(),
                new UserBudget(new FrameRateLimit(1, burst))));
        return connection;
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** A session that is open and records how it was closed. */
    private Session session() {
        return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isOpen" -> true;
                    case "getId" -> "s1";
                    case "close" -> {
                        closes.add((CloseReason) args[0]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
