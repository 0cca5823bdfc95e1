package com.estatechat.chat.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.amqp.control.InboxDelivery;
import com.estatechat.amqp.control.InboxListener;
import com.estatechat.amqp.control.InboxSubscription;
import com.estatechat.amqp.control.Inboxes;
import com.estatechat.amqp.control.TestSubscriptions;
import com.estatechat.auth.entity.Identity;
import com.estatechat.auth.entity.Role;
import com.estatechat.chat.entity.MessageFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One user's lane, driven task by task: the lane runs each task at once, on the test's thread. */
class UserSessionsTest {

    private final FrameCodec codec = new FrameCodec();
    private final CompletableFuture<InboxSubscription> started = new CompletableFuture<>();
    private final Inboxes inboxes = new Inboxes() {
        @Override
        public CompletableFuture<InboxSubscription> subscribe(String userId, List<String> bind, List<String> unbind,
                InboxListener listener) {
            return started;
        }

        @Override
        public boolean brokerConnected() {
            return true;
        }
    };
    private final UserSessions bob = new UserSessions("bob", Runnable::run, inboxes, codec, new ChatMetrics());
    private final FakeSession fake = new FakeSession();
    private final ChatConnection connection = new ChatConnection(fake.session, Identity.of("bob", Role.TENANT),
            "{\"type\":\"connected\"}", 20, 40, 100);

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

        bob.join(new ChatConnection(phone.session, Identity.of("bob", Role.TENANT), "{\"type\":\"connected\"}", 20, 40,
                100));

        assertThat(phone.written).hasSize(2);
        assertThat(codec.fromJson(phone.written.get(1), MessageFrame.class).redelivered()).isTrue();
    }

    private InboxDelivery delivery(long tag, String messageId, boolean redelivered) {
        String frame = codec.toJson(MessageFrame.of(messageId, "alice", "landlord", "bob", "hello", "2026-11-30T00:00:00Z"));
        return new InboxDelivery(tag, redelivered, UserSessions.KIND_MESSAGE, messageId,
                frame.getBytes(StandardCharsets.UTF_8), Map.of(UserSessions.HEADER_SENDER_ID, "alice"));
    }
}
