package com.estatechat.chat.control;

import com.estatechat.chat.limits.UserBudgets;
import com.estatechat.json.JsonCodec;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.amqp.control.InboxListener;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.amqp.control.Inboxes;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.concurrent.Workers;
import com.estatechat.settings.OperationalSettings;
import com.estatechat.settings.TestSettings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
}
