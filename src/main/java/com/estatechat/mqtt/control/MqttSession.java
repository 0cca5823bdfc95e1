package com.estatechat.mqtt.control;

import com.estatechat.chat.control.ChatConnection;
import jakarta.websocket.Session;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One MQTT connection's protocol state: its decoder, and after CONNECT its chat connection and
 * wire. Touched by the container's threads only, one packet at a time (the container calls a
 * session's {@code @OnMessage} serially).
 *
 * @param handshake the WebSocket handshake's headers and query parameters
 * @param remoteAddress the client's address, when the container tells it (for mode {@code none})
 */
public final class MqttSession {

    private final Session session;
    private final Map<String, List<String>> headers;
    private final Map<String, List<String>> parameters;
    private final String remoteAddress;
    private final MqttDecoder decoder;
    private volatile ChatConnection connection;
    private volatile MqttWire wire;
    private volatile boolean ended;
    // until CONNECT is accepted: the deadline's timer, and who of the deadline and the CONNECT came first
    private volatile Future<?> connectDeadline;
    private final AtomicBoolean connectSettled = new AtomicBoolean();

    public MqttSession(Session session, Map<String, List<String>> headers, Map<String, List<String>> parameters,
            String remoteAddress, MqttDecoder decoder) {
        this.session = session;
        this.headers = headers;
        this.parameters = parameters;
        this.remoteAddress = remoteAddress;
        this.decoder = decoder;
    }

    public Session session() {
        return session;
    }

    Map<String, List<String>> headers() {
        return headers;
    }

    Map<String, List<String>> parameters() {
        return parameters;
    }

    String remoteAddress() {
        return remoteAddress;
    }

    MqttDecoder decoder() {
        return decoder;
    }

    /** The chat connection, from an accepted CONNECT on; null before. */
    public ChatConnection connection() {
        return connection;
    }

    MqttWire wire() {
        return wire;
    }

    void connected(ChatConnection connection, MqttWire wire) {
        this.wire = wire;
        this.connection = connection;
    }

    void connectDeadline(Future<?> timer) {
        connectDeadline = timer;
    }

    /**
     * Claims the outcome of the CONNECT phase, for an accepted CONNECT or for its deadline, whichever
     * asks first (the deadline runs on the heartbeat's thread, CONNECT on the container's).
     *
     * @return true for the first caller only
     */
    boolean settleConnect() {
        boolean first = connectSettled.compareAndSet(false, true);
        Future<?> timer = connectDeadline;
        if (timer != null) {
            timer.cancel(false);
        }
        return first;
    }

    /** Whether the connection is over (refused, violated the protocol, or closed): later bytes are ignored. */
    boolean ended() {
        return ended;
    }

    void end() {
        ended = true;
    }

    /** For log lines: the session and, once known, the user. */
    String describe() {
        ChatConnection known = connection;
        return known == null ? "session " + session.getId() + " (before CONNECT)"
                : known.userId() + " (MQTT session " + session.getId() + ")";
    }
}
