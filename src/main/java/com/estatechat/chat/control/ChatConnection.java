package com.estatechat.chat.control;

import com.estatechat.identity.Identity;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Enumeration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One WebSocket connection of a user, and the only writer to its session: frames are sent
 * asynchronously, one at a time, in the order given; each send's result is checked. Its send queue
 * is bounded in frames and in bytes. Also holds the time the client was last heard from. Its lock
 * guards only its send queue: no callback, socket write or close runs while it is held.
 */
public final class ChatConnection {

    private static final Logger LOG = Logger.getLogger(ChatConnection.class.getName());
    private static final byte HEARTBEAT = 'h';

    /** A frame to write, and whom to tell whether it was written: told once, whoever tells first. */
    private static final class Outgoing {
        final String text;
        /** The heap its text takes, at most two bytes a character. */
        final long bytes;
        private final Consumer<Boolean> done;
        /** Told when the client acknowledged it, on a wire that has acknowledgements; else null. */
        final Consumer<Boolean> acknowledged;
        private final AtomicBoolean told = new AtomicBoolean();
        /** Run once it was told, whatever it was told; guarded by this. */
        private final List<Runnable> then = new ArrayList<>(1);

        /** {@code text} null: a mark in the queue, written as nothing, told once all before it were written. */
        Outgoing(String text, Consumer<Boolean> done, Consumer<Boolean> acknowledged) {
            this.text = text;
            this.bytes = text == null ? 0 : 2L * text.length();
            this.done = done;
            this.acknowledged = acknowledged;
        }

        void tell(boolean written) {
            if (!told.compareAndSet(false, true)) {
                return;
            }
            if (done != null) {
                done.accept(written);
            }
            List<Runnable> next;
            synchronized (this) {
                next = List.copyOf(then);
                then.clear();
            }
            next.forEach(Runnable::run);
        }

        /** Runs {@code next} once this frame was told (at once if it was). */
        void whenTold(Runnable next) {
            synchronized (this) {
                if (!told.get()) {
                    then.add(next);
                    return;
                }
            }
            next.run();
        }
    }

    private final Session session;
    private final Wire wire;
    /** Replaced only by a renewal (same user, same role), read on any thread. */
    private volatile Identity identity;
    private final int sendQueueLimit;
    private final long sendQueueBytes;
    private final Deque<Outgoing> queue = new ArrayDeque<>();
    /** What the queue and the frame in flight hold, in bytes. */
    private long queuedBytes;
    private final ReadProofs proofs = new ReadProofs();
    /** The frame given to the container and not yet reported by it. */
    private Outgoing inFlight;
    private boolean sending;
    private boolean closed;
    private volatile long lastHeardNanos = System.nanoTime();
    /**
     * This connection's heartbeat ping payload, random: a pong that echoes it (or a proof ping) shows
     * the client reads, however late it comes (a pong slower than the interval answers an earlier ping).
     */
    private final ByteBuffer heartbeatPayload = ByteBuffer.allocate(1 + Long.BYTES).put(HEARTBEAT)
            .putLong(ThreadLocalRandom.current().nextLong()).flip().asReadOnlyBuffer();
    private Future<?> expiry;
    /** The user this connection belongs to, from its registration on. */
    private volatile OnlineUser user;

    private final String greeting;

    /**
     * @param greeting the {@code connected} frame, sent once the user's inbox is ready
     * @param sendQueueLimit the most frames waiting to be written
     * @param sendQueueBytes the most bytes waiting to be written (see {@link Outgoing#bytes})
     */
    public ChatConnection(Session session, Identity identity, String greeting, int sendQueueLimit,
            long sendQueueBytes) {
        this(session, identity, greeting, sendQueueLimit, sendQueueBytes, new TextWire(session));
    }

    /** A connection whose frames go on {@code wire} (MQTT's), not as WebSocket text frames. */
    public ChatConnection(Session session, Identity identity, String greeting, int sendQueueLimit,
            long sendQueueBytes, Wire wire) {
        this.session = session;
        this.wire = wire;
        this.identity = identity;
        this.greeting = greeting;
        this.sendQueueLimit = sendQueueLimit;
        this.sendQueueBytes = sendQueueBytes;
    }

    public Identity identity() {
        return identity;
    }

    public String userId() {
        return identity.userId();
    }

    /**
     * Takes the identity of a renewed token: from now on the connection lives until its expiry.
     * The timer of the old expiry is cancelled; the caller schedules the new one
     * ({@link Heartbeat#closeAtExpiry}).
     *
     * @throws IllegalArgumentException when the renewed identity is another user or role
     */
    public void renew(Identity renewed) {
        if (!renewed.userId().equals(identity.userId()) || renewed.role() != identity.role()) {
            throw new IllegalArgumentException("a renewal keeps the user and the role");
        }
        Future<?> old;
        synchronized (this) {
            identity = renewed;
            old = expiry;
            expiry = null;
        }
        if (old != null) {
            old.cancel(false);
        }
    }

    public String id() {
        return session.getId();
    }

    void joined(OnlineUser owner) {
        user = owner;
    }

    /** The user's sessions; null before the connection was registered. */
    OnlineUser user() {
        return user;
    }

    /** Keeps the frames of one connection in one publishing lane, so that they stay in order. */
    public int orderKey() {
        return session.getId().hashCode();
    }

    /** Takes one frame from the user's rate limit (shared by its connections); false when it sends too fast. */
    public boolean tryAcquire() {
        return user.rateLimit().tryAcquire();
    }

    /** The client was heard from: a frame or a pong. */
    public void touch() {
        lastHeardNanos = System.nanoTime();
    }

    public Duration silentFor() {
        return Duration.ofNanos(System.nanoTime() - lastHeardNanos);
    }

    /** How long this client may stay silent (its wire's rule; MQTT's keep-alive), given the heartbeat's timeout. */
    public Duration silenceLimit(Duration heartbeatTimeout) {
        return wire.silenceLimit(heartbeatTimeout);
    }

    public void send(String text) {
        send(text, null);
    }

    /**
     * Queues a frame the client must be shown to have read: {@code proven} is told true once the
     * client answered a ping sent after the frame, false when the connection ends first.
     */
    public void sendProven(String text, Consumer<Boolean> proven) {
        if (wire.acknowledges()) {
            // the client's own acknowledgement of the frame is the proof (MQTT's PUBACK)
            AtomicBoolean told = new AtomicBoolean();
            Consumer<Boolean> once = read -> {
                if (told.compareAndSet(false, true)) {
                    proven.accept(read);
                }
            };
            send(text, written -> {
                if (!written) {
                    once.accept(false);
                }
            }, once);
            return;
        }
        send(text, provenByPing(proven));
    }

    /** Told whether a frame was written: once it was, a ping whose pong proves the client read it. */
    private Consumer<Boolean> provenByPing(Consumer<Boolean> proven) {
        return written -> {
            if (!written) {
                proven.accept(false);
                return;
            }
            ByteBuffer ping = proofs.written(proven);
            if (ping != null) {
                sendPing(ping);
            }
        };
    }

    /**
     * Proves that the client read what this connection was sent so far, without sending anything
     * again (a receipt it was shown as another node's copy): {@code proven} as for
     * {@link #sendProven}. On a wire whose proof is the client's acknowledgement of a frame (MQTT),
     * {@code frame} is sent again for it.
     */
    public void proveShown(String frame, Consumer<Boolean> proven) {
        if (wire.acknowledges()) {
            sendProven(frame, proven);
            return;
        }
        send(null, provenByPing(proven), null);
    }

    /**
     * A pong: when it answers a ping of ours, the client is alive and has read what was written
     * before that ping. Any other pong (unsolicited, or a made-up payload) proves nothing.
     */
    public void ponged(ByteBuffer data) {
        if (data.equals(heartbeatPayload) || proofs.answers(data)) {
            touch();
        }
        ByteBuffer next = proofs.ponged(data);
        if (next != null) {
            sendPing(next);
        }
    }

    /** Sends the {@code connected} frame. */
    void greet() {
        send(greeting);
    }

    /**
     * Queues a text frame.
     *
     * @param done told whether the frame was written; may be null
     */
    public void send(String text, Consumer<Boolean> done) {
        send(text, done, null);
    }

    private void send(String text, Consumer<Boolean> done, Consumer<Boolean> acknowledged) {
        boolean overflow = false;
        boolean refused = false;
        Outgoing frame = new Outgoing(text, done, acknowledged);
        synchronized (this) {
            if (closed) {
                refused = true;
            } else if (queue.size() >= sendQueueLimit || queuedBytes + frame.bytes > sendQueueBytes) {
                overflow = true;
            } else {
                queue.add(frame);
                queuedBytes += frame.bytes;
                if (sending) {
                    return;
                }
                sending = true;
            }
        }
        if (refused) {
            frame.tell(false);
            return;
        }
        if (overflow) {
            frame.tell(false);
            LOG.warning(() -> "Closing the connection of " + userId() + " (session " + id()
                    + "): it does not read its frames fast enough");
            close(CloseReason.CloseCodes.VIOLATED_POLICY, "too slow: send queue full");
            return;
        }
        writeQueued();
    }

    private void writeQueued() {
        while (true) {
            Outgoing next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    sending = false;
                    return;
                }
                inFlight = next;
            }
            if (next.text == null) {
                sent(next, true); // a mark: everything queued before it was written
                continue;
            }
            // 0: in flight, 1: completed inside sendText (this loop goes on), 2: completes later
            AtomicInteger state = new AtomicInteger();
            Outgoing frame = next;
            Thread caller = Thread.currentThread();
            ClassLoader loader = caller.getContextClassLoader();
            // Payara's Tyrus reschedules its idle-timeout task on every send, and the managed executor
            // captures the thread's context with a ServiceLoader scan of the context class loader's jars:
            // half of the server's CPU under load (see bench/results). The task has nothing to do (idle
            // timeout 0: the heartbeat closes dead connections), so the send runs with a loader whose
            // service lookups find nothing; its classes are the caller's.
            caller.setContextClassLoader(ClassesOnlyLoader.of(loader));
            try {
                wire.write(frame.text, frame.acknowledged, result -> {
                    Thread current = Thread.currentThread();
                    ClassLoader during = current.getContextClassLoader();
                    current.setContextClassLoader(loader);
                    try {
                        onSent(frame, result);
                    } finally {
                        current.setContextClassLoader(during);
                    }
                    if (!state.compareAndSet(0, 1)) {
                        writeQueued();
                    }
                });
            } catch (RuntimeException e) {
                sent(frame, false);
                writeFailed(e);
                continue;
            } finally {
                caller.setContextClassLoader(loader);
            }
            if (state.compareAndSet(0, 2)) {
                return;
            }
        }
    }

    private void onSent(Outgoing frame, SendResult result) {
        sent(frame, result.isOK());
        if (!result.isOK()) {
            writeFailed(result.getException());
        }
    }

    /**
     * A frame that could not be written ends the connection: the frames after it would reach the
     * client with a gap, and Tyrus fails writes ("Connection is closed") on sessions it still
     * reports open, which kept their deliveries unacked until the heartbeat noticed. Closed like a
     * connection that missed its heartbeats (1001): its deliveries are released, and a client that
     * is still there reconnects.
     */
    private void writeFailed(Throwable failure) {
        if (failure instanceof Wire.NotWritten || isClosed()) {
            return; // the wire kept it back, or the close dropped it
        }
        LOG.log(Level.FINE, failure, () -> "Send to " + userId() + " (session " + id() + ") failed");
        LOG.info(() -> "Closing the connection of " + userId() + " (session " + id() + "): a write failed ("
                + (failure == null ? "no reason given" : failure.getMessage()) + ")");
        close(CloseReason.CloseCodes.GOING_AWAY, "write failed");
    }

    private void sent(Outgoing frame, boolean written) {
        synchronized (this) {
            if (inFlight == frame) {
                inFlight = null;
                queuedBytes -= frame.bytes;
            }
        }
        frame.tell(written);
    }

    /** The heartbeat's ping; it repeats a proof ping that is still unanswered. */
    public void ping() {
        if (!wire.pings()) {
            return; // MQTT's keep-alive: the client's PINGREQ shows it is there
        }
        ByteBuffer proof = proofs.heartbeat();
        if (proof != null) {
            sendPing(proof);
            return;
        }
        sendPing(heartbeatPayload.duplicate());
    }

    private void sendPing(ByteBuffer payload) {
        if (!session.isOpen()) {
            return;
        }
        // a ping reschedules Tyrus's idle-timeout task as a text frame does: the same loader (see writeQueued)
        Thread caller = Thread.currentThread();
        ClassLoader loader = caller.getContextClassLoader();
        caller.setContextClassLoader(ClassesOnlyLoader.of(loader));
        try {
            session.getAsyncRemote().sendPing(payload);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "Ping to " + userId() + " (session " + id() + ") failed");
        } finally {
            caller.setContextClassLoader(loader);
        }
    }

    /**
     * The expiry timer, to cancel when the connection closes first; it replaces the one before
     * (cancelled), so that a renewal leaves one timer.
     */
    void onClose(Future<?> timer) {
        Future<?> cancelled;
        synchronized (this) {
            if (closed) {
                cancelled = timer;
            } else {
                cancelled = expiry;
                expiry = timer;
            }
        }
        if (cancelled != null) {
            cancelled.cancel(false);
        }
    }

    /**
     * Closes the WebSocket; frames still queued, and the one the container has not reported, are
     * reported as not written. The container may never report it: Tyrus's servlet writer forgets
     * the frames it queued (output not ready) when the connection closes.
     */
    public void close(CloseReason.CloseCode code, String reason) {
        Queue<Outgoing> dropped = new ArrayDeque<>();
        Future<?> timer;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (inFlight != null) {
                dropped.add(inFlight);
                inFlight = null;
            }
            dropped.addAll(queue);
            queue.clear();
            queuedBytes = 0;
            timer = expiry;
            expiry = null;
        }
        if (timer != null) {
            timer.cancel(false); // outside the lock: it takes the ticker's queue lock
        }
        dropped.forEach(frame -> frame.tell(false));
        proofs.close();
        wire.closed();
        if (!session.isOpen()) {
            return;
        }
        try {
            session.close(new CloseReason(code, reason));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "Closing the session of " + userId() + " (" + id() + ") failed");
        }
    }

    /**
     * Closes once the frames queued so far were written, or at once when none wait: a shutdown's
     * last answers reach the client before its close. A frame the container never reports keeps the
     * connection open; the caller then closes it with {@link #close} at its deadline.
     */
    public void closeWhenWritten(CloseReason.CloseCode code, String reason) {
        Outgoing last;
        synchronized (this) {
            last = queue.isEmpty() ? inFlight : queue.peekLast();
        }
        if (last == null) {
            close(code, reason);
        } else {
            last.whenTold(() -> close(code, reason));
        }
    }

    /** Whether it was closed (by {@link #close}, or {@link #closeWhenWritten} once written). */
    synchronized boolean isClosed() {
        return closed;
    }

    /** The connection ended from the other side or the container: stop writing. */
    public void closed() {
        close(CloseReason.CloseCodes.NORMAL_CLOSURE, "closed");
    }

    /**
     * Loads classes through its parent but finds no service resources, so that a ServiceLoader scan
     * made on the thread ends at once. One per parent, kept while the parent stays the same.
     */
    private static final class ClassesOnlyLoader extends ClassLoader {

        private static volatile ClassesOnlyLoader last = new ClassesOnlyLoader(null);

        private ClassesOnlyLoader(ClassLoader parent) {
            super(parent);
        }

        static ClassesOnlyLoader of(ClassLoader parent) {
            ClassesOnlyLoader loader = last;
            if (loader.getParent() != parent) {
                loader = new ClassesOnlyLoader(parent);
                last = loader;
            }
            return loader;
        }

        @Override
        public Enumeration<URL> getResources(String name) {
            return Collections.emptyEnumeration();
        }
    }
}
