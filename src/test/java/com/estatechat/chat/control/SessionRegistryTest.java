package com.estatechat.chat.control;

import com.estatechat.chat.limits.UserBudgets;
import com.estatechat.history.control.MessageIds;
import com.estatechat.json.JsonCodec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.amqp.control.InboxListener;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.amqp.control.Inboxes;
import com.estatechat.amqp.control.NodeNotice;
import com.estatechat.amqp.control.NodeNotices;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.auth.control.Permissions;
import com.estatechat.concurrent.Workers;
import com.estatechat.settings.ChatSettings;
import com.estatechat.settings.OperationalSettings;
import com.estatechat.settings.TestSettings;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry's members and what outlives them: a user's budgets. Inboxes whose consumers never start. */
class SessionRegistryTest {

    final SessionRegistry cut = new SessionRegistry();

    @BeforeEach
    void wire() {
        cut.inboxes = new Inboxes() {
            @Override
            public CompletableFuture<InboxSubscription> subscribe(String userId, List<String> bind,
                    List<String> unbind, InboxListener listener) {
                return new CompletableFuture<>();
            }
        };
        cut.codec = new JsonCodec();
        cut.metrics = new ChatMetrics();
        cut.workers = new Workers();
        // one frame a second after a burst of three
        cut.settings = TestSettings.live(Map.of(OperationalSettings.RATE_PER_SECOND, "1",
                OperationalSettings.RATE_BURST, "3"));
        cut.budgets = new UserBudgets(cut.settings);
    }

    private static ChatConnection connectionOf(String userId) {
        return new ChatConnection(new FakeSession().session, Identity.of(userId, Role.TENANT), "{}", 100, 1 << 20);
    }

    /**
     * A node notice keeps one of the node's prefetch places until it is handled: one about a user
     * not here, or an ack that names no message, is handled at once.
     */
    @Test
    void aNoticeNoUserHereTakesIsHandledAtOnce() {
        List<String> handled = new java.util.ArrayList<>();

        cut.onNotice(new NodeNotice(NodeNotices.COPY, "nobody", "node-b", "m1", "{}"), () -> handled.add("copy"));
        cut.register(connectionOf("bob"));
        cut.onNotice(new NodeNotice(NodeNotices.ACK, "bob", "node-b", null, null), () -> handled.add("ack"));

        assertThat(handled).containsExactly("copy", "ack");
    }

    /**
     * Issue 22: the frame budget was created afresh with the user's sessions, so a flooder that
     * closed its last connection and opened another had a whole burst again.
     */
    @Test
    void aUserWhoReconnectsKeepsTheFrameBudgetItSpent() {
        ChatConnection first = connectionOf("mallory");
        cut.register(first);
        int spent = 0;
        while (first.tryAcquire()) {
            spent++;
        }
        assertThat(spent).isBetween(3, 4);
        cut.unregister(first);
        assertThat(cut.sessionsOf("mallory")).isZero();

        ChatConnection second = connectionOf("mallory");
        cut.register(second);

        assertThat(second.tryAcquire()).as("a frame right after reconnecting").isFalse();
        ChatConnection others = connectionOf("alice");
        cut.register(others);
        assertThat(others.tryAcquire()).as("another user's budget").isTrue();
    }

    /** A budget is kept while it holds something a new one would not: spent frames, or a user connected here. */
    @Test
    void onlyTheWholeBudgetsOfUsersWithoutSessionsAreForgotten() {
        ChatConnection quiet = connectionOf("quiet");
        cut.register(quiet);
        cut.unregister(quiet);
        ChatConnection spender = connectionOf("spender");
        cut.register(spender);
        spender.tryAcquire();
        cut.unregister(spender);
        cut.register(connectionOf("online"));
        assertThat(cut.budgets.size()).isEqualTo(3);

        cut.forgetWholeBudgets();

        assertThat(cut.budgets.size()).as("spender and online kept").isEqualTo(2);
        assertThat(cut.budgets.forgettable()).containsExactly("online");
    }

    /**
     * Issue 21 (ServerStopChaosIT: about 20 a stop): a send the client wrote before it knew the
     * server was going crossed the 1001 on the wire and was never answered; its sender could not
     * tell it from a lost one. The shutdown now tells each connection {@code going_away} first and
     * keeps reading for the drain window: such a send is refused {@code unavailable} with
     * {@code retry_after_ms}, and that answer is written before the close.
     */
    @Test
    void aSendThatCrossesTheGoingAwayNoticeIsAnsweredBeforeTheClose() throws Exception {
        cut.chatSettings = settings(Duration.ofMillis(300), Duration.ofMillis(600));
        cut.relay = relay();
        FakeSession fake = new FakeSession();
        ChatConnection alice = new ChatConnection(fake.session, Identity.of("alice", Role.TENANT), "{}", 100, 1 << 20);
        cut.register(alice);

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> cut.shutdown(null));
        await().atMost(Duration.ofSeconds(5)).until(() -> !fake.written.isEmpty());
        assertThat(json(fake.written.get(0)).getString("type")).isEqualTo("going_away");
        assertThat(fake.closedWith).as("still open: the window has begun").isNull();
        // written by the client before it read the notice
        cut.relay.onText(alice, "{\"target_id\":\"bob\",\"message\":\"hi\",\"client_msg_id\":\"c1\"}");
        stopped.get(10, TimeUnit.SECONDS);

        assertThat(fake.written).hasSize(2);
        JsonObject answer = json(fake.written.get(1));
        assertThat(answer.getString("code")).isEqualTo("unavailable");
        assertThat(answer.getString("client_msg_id")).isEqualTo("c1");
        assertThat(answer.getJsonNumber("retry_after_ms").longValue()).isEqualTo(300);
        assertThat(fake.closedWith.getCloseCode().getCode()).isEqualTo(1001);
    }

    /** A drain window of zero: no notice, the close follows the answers at once. */
    @Test
    void withoutADrainWindowTheShutdownClosesWithoutANotice() throws Exception {
        cut.chatSettings = settings(Duration.ofMillis(300), Duration.ZERO);
        cut.relay = relay();
        FakeSession fake = new FakeSession();
        cut.register(new ChatConnection(fake.session, Identity.of("alice", Role.TENANT), "{}", 100, 1 << 20));

        cut.shutdown(null);

        assertThat(fake.written).isEmpty();
        assertThat(fake.closedWith.getCloseCode().getCode()).isEqualTo(1001);
    }

    private static ChatSettings settings(Duration confirmTimeout, Duration drainWindow) {
        return new ChatSettings() {
            @Override
            public Duration confirmTimeout() {
                return confirmTimeout;
            }

            @Override
            public Duration drainWindow() {
                return drainWindow;
            }
        };
    }

    /** A relay whose sends reach no publisher: the shutdown refuses them before. */
    private Relay relay() {
        Relay relay = new Relay();
        relay.codec = cut.codec;
        relay.metrics = cut.metrics;
        relay.settings = new ChatSettings();
        relay.parser = new FrameParser(relay.codec, 100);
        relay.ids = new MessageIds();
        relay.permissions = new Permissions() {
            @Override
            public Optional<String> refusal(Identity sender, String target) {
                return Optional.empty();
            }
        };
        return relay;
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }
}
