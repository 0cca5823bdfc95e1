package com.estatechat.chat.control;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Frames a connection must prove the client read, not only that the server wrote them: a write
 * lands in the kernel's buffer even when the client is already gone. A frame is proven when the
 * client answers a ping sent after it, which it can only do once it has read every byte before
 * the ping. One proof ping is out at a time and covers every frame written before it.
 */
final class ReadProofs {

    private static final byte MARK = 'p';

    private List<Consumer<Boolean>> written = new ArrayList<>();
    private List<Consumer<Boolean>> awaitingPong = new ArrayList<>();
    private long outstanding = -1;
    private long lastPing;
    private boolean closed;

    /**
     * A frame to prove was written. Returns the payload of a ping to send now, or null when a proof
     * ping is already out (its pong starts the next one).
     */
    ByteBuffer written(Consumer<Boolean> proven) {
        synchronized (this) {
            if (!closed) {
                written.add(proven);
                return outstanding < 0 ? nextPing() : null;
            }
        }
        proven.accept(false);
        return null;
    }

    /**
     * The payload for a heartbeat ping: the outstanding proof ping again (the first may have been
     * lost), a new one when frames wait for it, else null (a plain heartbeat ping will do).
     */
    synchronized ByteBuffer heartbeat() {
        if (outstanding >= 0) {
            return payload(outstanding);
        }
        return written.isEmpty() ? null : nextPing();
    }

    /** Whether {@code data} is the payload of the proof ping that is out. */
    synchronized boolean answers(ByteBuffer data) {
        return outstanding >= 0 && payload(outstanding).equals(data);
    }

    /** A pong came: settles what its ping covered; returns the next ping to send, or null. */
    ByteBuffer ponged(ByteBuffer data) {
        List<Consumer<Boolean>> proven;
        ByteBuffer next;
        synchronized (this) {
            if (outstanding < 0 || !payload(outstanding).equals(data)) {
                return null;
            }
            proven = awaitingPong;
            awaitingPong = new ArrayList<>();
            outstanding = -1;
            next = written.isEmpty() ? null : nextPing();
        }
        proven.forEach(done -> done.accept(true));
        return next;
    }

    /** The connection ended: nothing waiting will be proven. */
    void close() {
        List<Consumer<Boolean>> unproven = new ArrayList<>();
        synchronized (this) {
            closed = true;
            unproven.addAll(awaitingPong);
            unproven.addAll(written);
            awaitingPong.clear();
            written.clear();
        }
        unproven.forEach(done -> done.accept(false));
    }

    private ByteBuffer nextPing() {
        outstanding = ++lastPing;
        awaitingPong.addAll(written);
        written = new ArrayList<>();
        return payload(outstanding);
    }

    private static ByteBuffer payload(long sequence) {
        return ByteBuffer.allocate(1 + Long.BYTES).put(MARK).putLong(sequence).flip();
    }
}
