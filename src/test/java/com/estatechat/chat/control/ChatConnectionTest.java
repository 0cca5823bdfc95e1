package com.estatechat.chat.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatConnectionTest {

    private final FakeSession fake = new FakeSession();

    private ChatConnection connection(int sendQueueLimit) {
        return new ChatConnection(fake.session, Identity.of("bob", Role.TENANT), "{\"type\":\"connected\"}",
                sendQueueLimit, 1 << 20);
    }

    /**
     * Issue 11, defect 1a: a frame sent to a closed connection told its callback under the
     * connection's lock; a receipt's callback takes the user's lock, while a delivery holds the
     * user's lock and sends: a lock cycle.
     */
    @Test
    void aSendCallbackNeverRunsUnderTheConnectionsLock() {
        ChatConnection connection = connection(10);
        List<String> outcomes = new ArrayList<>();
        connection.send("before", written -> outcomes.add("before " + written + " locked "
                + Thread.holdsLock(connection)));
        connection.closed();
        connection.send("after", written -> outcomes.add("after " + written + " locked "
                + Thread.holdsLock(connection)));
        assertThat(outcomes).containsExactly("before true locked false", "after false locked false");
    }

    /**
     * Frames queued when the connection closes are reported unwritten, outside the lock too; so is
     * the one the container holds: Tyrus's servlet writer never reports the frames it queued when
     * the connection closes (the CI flake of {@code FlappingClientsChaosIT}: a receipt sent on a
     * closing connection waited for that report for ever, and its sender never got it).
     */
    @Test
    void framesDroppedByACloseAreReportedOutsideTheLock() {
        fake.completeSends = false;
        ChatConnection connection = connection(10);
        List<String> outcomes = new ArrayList<>();
        connection.send("in flight", written -> outcomes.add("in flight " + written + " locked "
                + Thread.holdsLock(connection)));
        connection.send("queued", written -> outcomes.add("queued " + written + " locked "
                + Thread.holdsLock(connection)));
        connection.closed();
        assertThat(outcomes).containsExactly("in flight false locked false", "queued false locked false");
    }

    /**
     * Issue 12: a pong with any payload kept a socket that reads nothing alive. Only a pong that
     * echoes the server's last ping (random per ping) shows the client read it.
     */
    @Test
    void onlyAPongThatEchoesTheServersPingShowsTheClientIsThere() {
        ChatConnection connection = connection(10);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> connection.silentFor().toMillis() >= 50);
        connection.ponged(java.nio.ByteBuffer.wrap(new byte[] {'h', 'b'}));
        connection.ponged(java.nio.ByteBuffer.allocate(0));
        assertThat(connection.silentFor().toMillis()).as("after made-up pongs").isGreaterThanOrEqualTo(50);

        connection.ping();
        assertThat(fake.pings).hasSize(1);
        connection.ponged(fake.pings.get(0).duplicate());
        assertThat(connection.silentFor().toMillis()).as("after the pong to our ping").isLessThan(50);
    }

    /**
     * Found chasing FlappingClientsChaosIT: each heartbeat ping had a payload of its own, and only a
     * pong to the last one counted. A client whose pong came after the next ping (a pong slower than
     * the interval: 1 s in the fault runs, on a loaded machine) was taken for silent and closed while
     * it answered every ping. A pong that echoes any heartbeat ping of this connection shows it is there.
     */
    @Test
    void aLatePongToAnEarlierPingOfOursShowsTheClientIsThere() {
        ChatConnection connection = connection(10);
        connection.ping();
        connection.ping();
        assertThat(fake.pings).hasSize(2);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> connection.silentFor().toMillis() >= 50);
        connection.ponged(fake.pings.get(0).duplicate());
        assertThat(connection.silentFor().toMillis()).as("after a late pong to the first ping").isLessThan(50);

        ChatConnection other = connection(10);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> other.silentFor().toMillis() >= 50);
        other.ponged(fake.pings.get(0).duplicate());
        assertThat(other.silentFor().toMillis()).as("a pong to another connection's ping").isGreaterThanOrEqualTo(50);
    }

    /** A report the container makes after all, once the connection closed, is not told twice. */
    @Test
    void aLateReportOfTheContainerIsToldOnce() {
        fake.completeSends = false;
        ChatConnection connection = connection(10);
        List<Boolean> outcomes = new ArrayList<>();
        connection.send("in flight", outcomes::add);
        connection.closed();
        fake.unfinished.forEach(handler -> handler.onResult(new jakarta.websocket.SendResult()));
        assertThat(outcomes).containsExactly(false);
    }

    /** A client that does not read is closed with 1008 once its queue is full; the close runs unlocked. */
    @Test
    void aClientThatDoesNotReadIsClosedWithoutALockHeld() {
        fake.completeSends = false;
        ChatConnection connection = connection(2);
        List<Boolean> lockedAtClose = new ArrayList<>();
        fake.onClose = reason -> lockedAtClose.add(Thread.holdsLock(connection));
        for (int i = 0; i < 4; i++) {
            connection.send("frame " + i);
        }
        assertThat(fake.closedWith.getCloseCode().getCode()).isEqualTo(1008);
        assertThat(lockedAtClose).containsExactly(false);
    }

    /**
     * Issue 21 (UndeployChaosIT): the shutdown closed each connection while the answers to its sends
     * were still queued, and a close drops what is queued. Closed when written, the connection
     * writes both queued frames first, then closes with 1001; with nothing queued it closes at once.
     */
    @Test
    void aCloseWhenWrittenComesAfterTheFramesQueuedBeforeIt() {
        fake.completeSends = false;
        ChatConnection connection = connection(10);
        List<Boolean> outcomes = new ArrayList<>();
        connection.send("in flight", outcomes::add);
        connection.send("queued", outcomes::add);
        connection.closeWhenWritten(jakarta.websocket.CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
        assertThat(fake.closedWith).as("closed while frames wait").isNull();

        fake.completeSends = true;
        fake.unfinished.forEach(handler -> handler.onResult(new jakarta.websocket.SendResult()));
        assertThat(outcomes).containsExactly(true, true);
        assertThat(fake.written).containsExactly("in flight", "queued");
        assertThat(fake.closedWith.getCloseCode().getCode()).isEqualTo(1001);

        FakeSession idle = new FakeSession();
        new ChatConnection(idle.session, Identity.of("ann", Role.TENANT), "{}", 10, 1 << 20)
                .closeWhenWritten(jakarta.websocket.CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
        assertThat(idle.closedWith.getCloseCode().getCode()).as("nothing queued: closed at once").isEqualTo(1001);
    }

    /**
     * Tyrus fails some sends with "Connection is closed" on a session it still reports open. The
     * connection stayed open: a message written so reached its client only after a reconnection, and
     * the delivery stayed held (unacked) by that dead connection until the heartbeat closed it. A
     * failed write now closes the connection (1001), so its deliveries are released at once and
     * the client, if it is still there, reconnects.
     */
    @Test
    void aFailedWriteClosesTheConnection() {
        fake.failSends = new java.io.IOException("Connection is closed");
        ChatConnection connection = connection(10);
        List<String> outcomes = new ArrayList<>();

        connection.send("a message", written -> outcomes.add("a message " + written));
        connection.send("the next", written -> outcomes.add("the next " + written));

        assertThat(outcomes).containsExactly("a message false", "the next false");
        assertThat(connection.isClosed()).isTrue();
        assertThat(fake.closedWith.getCloseCode().getCode()).isEqualTo(1001);
        assertThat(fake.closedWith.getReasonPhrase()).isEqualTo("write failed");
        assertThat(fake.written).as("nothing written after the failure").containsExactly("a message");
    }
}
