package com.estatechat.chat.control;

import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.time.Duration;
import java.util.function.Consumer;

/** The chat's own wire: each frame is a WebSocket text frame, read proofs are pings. */
final class TextWire implements Wire {

    private final Session session;

    TextWire(Session session) {
        this.session = session;
    }

    @Override
    public void write(String frame, Consumer<Boolean> acknowledged, SendHandler handler) {
        session.getAsyncRemote().sendText(frame, handler);
    }

    @Override
    public boolean acknowledges() {
        return false;
    }

    @Override
    public boolean pings() {
        return true;
    }

    @Override
    public Duration silenceLimit(Duration heartbeatTimeout) {
        return heartbeatTimeout;
    }

    @Override
    public void closed() {
        // nothing awaits an acknowledgement here
    }
}
