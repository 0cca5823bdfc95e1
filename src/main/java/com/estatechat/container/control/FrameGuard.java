package com.estatechat.container.control;

import jakarta.websocket.Session;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Stands between one WebSocket's bytes and a container that buffers a whole frame before any
 * application code sees it (Tyrus: up to 4 MB per socket, before authentication on {@code /mqtt}).
 * It passes the bytes on until a data frame's header announces more than the limit, then passes
 * nothing more and tells the endpoint once, which closes the connection with its protocol's code.
 *
 * <p>Concurrency: {@link #pass} runs on the connection's reading thread only; {@link #onRefusal}
 * (the endpoint's {@code @OnOpen}) may race with it, so the refusal and the listener are handed
 * over under the guard's monitor, and the listener is told outside it.
 */
public final class FrameGuard {

    /** Where the handshake leaves the guard in the session's user properties. */
    public static final String PROPERTY = "estate-chat.frame-guard";

    private final FrameScanner scanner; // the reading thread's
    private FrameScanner.Refusal refusal;
    private Consumer<FrameScanner.Refusal> listener;
    private boolean told;

    public FrameGuard(long limit) {
        this.scanner = new FrameScanner(limit);
    }

    public static Optional<FrameGuard> of(Session session) {
        return session.getUserProperties().get(PROPERTY) instanceof FrameGuard guard ? Optional.of(guard)
                : Optional.empty();
    }

    /**
     * The next bytes read from the client.
     *
     * @return how many of them the container may have; fewer than {@code length} once a frame is refused
     */
    public int pass(byte[] bytes, int offset, int length) {
        int passed = scanner.scan(bytes, offset, length);
        if (passed < length) {
            scanner.refusal().ifPresent(this::refused);
        }
        return passed;
    }

    public boolean refused() {
        return scanner.refusal().isPresent();
    }

    /** Who closes the connection when a frame is refused; told at once if one already was. */
    public void onRefusal(Consumer<FrameScanner.Refusal> listener) {
        FrameScanner.Refusal due;
        synchronized (this) {
            this.listener = listener;
            due = claim();
        }
        if (due != null) {
            listener.accept(due);
        }
    }

    private void refused(FrameScanner.Refusal found) {
        FrameScanner.Refusal due;
        Consumer<FrameScanner.Refusal> to;
        synchronized (this) {
            refusal = found;
            due = claim();
            to = listener;
        }
        if (due != null) {
            to.accept(due);
        }
    }

    /** The refusal to tell, once there is both a refusal and a listener, and only once. */
    private FrameScanner.Refusal claim() {
        if (told || refusal == null || listener == null) {
            return null;
        }
        told = true;
        return refusal;
    }
}
