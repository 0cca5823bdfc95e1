package com.estatechat.chat.control;

import jakarta.websocket.SendHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * How a {@link ChatConnection} puts its frames on its WebSocket: JSON text on {@code /ws}
 * ({@link TextWire}), MQTT PUBLISH packets on {@code /mqtt} ({@code mqtt.control.MqttWire}). The
 * connection still decides what is written and in which order, one frame at a time.
 */
public interface Wire {

    /**
     * A frame the wire chose not to write, on a connection that is fine (MQTT: more PUBLISH packets
     * than it holds until the client subscribes); any other failure of a write ends the connection.
     */
    final class NotWritten extends IOException {

        public NotWritten(String message) {
            super(message);
        }
    }

    /**
     * Writes one frame asynchronously; {@code handler} is told once whether it was written (a
     * {@link NotWritten} failure when the wire chose not to).
     *
     * @param acknowledged when not null (only on a wire that {@link #acknowledges()}): told true when
     *        the client acknowledged this very frame, false when the connection ended first; it may
     *        be told more than once, the connection keeps the first answer
     */
    void write(String frame, Consumer<Boolean> acknowledged, SendHandler handler);

    /**
     * Whether the client acknowledges each frame itself (MQTT's PUBACK): then a frame it must be
     * shown to have read needs no proof ping.
     */
    boolean acknowledges();

    /** Whether the heartbeat pings this connection. */
    boolean pings();

    /** How long the client may stay silent before the heartbeat closes the connection. */
    Duration silenceLimit(Duration heartbeatTimeout);

    /** The connection closed: every acknowledgement still awaited is told false. */
    void closed();
}
