package com.estatechat.container.boundary;

import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

/** Test-only: a WebSocket with a real idle timeout, which Tyrus must still enforce. */
@ServerEndpoint("/test/idle")
public class IdleTimeoutProbe {

    static final long IDLE_TIMEOUT_MS = 500;

    @OnOpen
    public void open(Session session) {
        session.setMaxIdleTimeout(IDLE_TIMEOUT_MS);
    }
}
