package com.estatechat.chat.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.identity.Identity;
import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.identity.Role;
import com.estatechat.settings.ChatSettings;
import com.estatechat.settings.OperationalSettings;
import com.estatechat.settings.TestSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeartbeatTest {

    private final Heartbeat heartbeat = new Heartbeat();

    @AfterEach
    void stop() {
        heartbeat.ticker.shutdownNow();
    }

    /**
     * Issue 11, defect 6: the expiry timer of a closed connection was cancelled but stayed in the
     * scheduler's queue until the token's {@code exp}, and the connection with it.
     */
    @Test
    void aClosedConnectionLeavesNoExpiryTimerBehind() {
        heartbeat.ticker = Heartbeat.newTicker();
        heartbeat.maxSession = Duration.ofHours(24);
        FakeSession fake = new FakeSession();
        ChatConnection connection = new ChatConnection(fake.session,
                new Identity("bob", Role.TENANT, Instant.now().plus(Duration.ofHours(12)), null), "{}", 10, 1 << 20);
        heartbeat.closeAtExpiry(connection);
        assertThat(heartbeat.ticker.getQueue()).hasSize(1);

        connection.closed();

        assertThat(heartbeat.ticker.getQueue()).as("timers still held").isEmpty();
    }

    @Test
    void aShorterIntervalMovesTheNextRoundForwardOnTheHeartbeatsThread() {
        Map<String, String> source = new HashMap<>(Map.of(OperationalSettings.HEARTBEAT_INTERVAL, "30s",
                OperationalSettings.HEARTBEAT_TIMEOUT, "75s"));
        source.putAll(Map.of(OperationalSettings.RATE_PER_SECOND, "20", OperationalSettings.RATE_BURST, "40",
                OperationalSettings.MAX_MESSAGE_CHARS, "4000", OperationalSettings.MAX_SESSIONS_PER_USER, "10",
                OperationalSettings.ALLOW_MISSING_ORIGIN, "false", OperationalSettings.BROADCAST_ROLES, "admin"));
        heartbeat.settings = TestSettings.live(source, heartbeat::onSettingsChanged);
        heartbeat.registry = new SessionRegistry();
        heartbeat.identities = new IdentityResolver();
        heartbeat.chatSettings = new ChatSettings() {
            @Override
            public Duration ackTimeout() {
                return Duration.ofMinutes(5);
            }
        };
        heartbeat.start(null);
        await().atMost(Duration.ofSeconds(5)).until(() -> heartbeat.ticker.getCompletedTaskCount() == 1);
        assertThat(heartbeat.ticker.getQueue()).singleElement()
                .satisfies(round -> assertThat(((Delayed) round).getDelay(TimeUnit.SECONDS)).isGreaterThan(20));

        source.put(OperationalSettings.HEARTBEAT_INTERVAL, "200ms");
        TestSettings.refresh(heartbeat.settings);

        // the hand-over, then rounds every 200 ms instead of one in 30 s
        await().atMost(Duration.ofSeconds(5)).until(() -> heartbeat.ticker.getCompletedTaskCount() >= 5);
    }

    @Test
    void aRenewalLeavesOneTimerAndTheOldExpiryNoLongerCloses() {
        heartbeat.ticker = Heartbeat.newTicker();
        heartbeat.maxSession = Duration.ofHours(24);
        heartbeat.registry = new SessionRegistry();
        FakeSession fake = new FakeSession();
        Instant first = Instant.now().plus(Duration.ofMinutes(5));
        Identity firstToken = new Identity("bob", Role.TENANT, first, null);
        ChatConnection connection = new ChatConnection(fake.session, firstToken, "{}", 10, 1 << 20);
        heartbeat.closeAtExpiry(connection);

        connection.renew(new Identity("bob", Role.TENANT, first.plus(Duration.ofHours(1)), null));
        heartbeat.closeAtExpiry(connection);

        assertThat(heartbeat.ticker.getQueue()).hasSize(1);
        // a timer of the old expiry that was already running when the renewal came
        heartbeat.expire(connection, firstToken, true);
        assertThat(fake.closedWith).isNull();
        heartbeat.expire(connection, connection.identity(), true);
        assertThat(fake.closedWith.getCloseCode().getCode()).isEqualTo(1008);
        assertThat(fake.closedWith.getReasonPhrase()).isEqualTo("token expired");
    }
}
