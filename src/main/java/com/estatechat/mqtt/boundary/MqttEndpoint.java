package com.estatechat.mqtt.boundary;

import com.estatechat.chat.control.ChatConnection;
import com.estatechat.container.control.FrameGuard;
import com.estatechat.logging.LogText;
import com.estatechat.mqtt.control.MqttDecoder;
import com.estatechat.mqtt.control.MqttProtocol;
import com.estatechat.mqtt.control.MqttSession;
import com.estatechat.settings.ChatSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * MQTT 3.1.1 over WebSocket: {@code ws://host/mqtt}, subprotocol {@code mqtt}, binary frames. Thin
 * on purpose: the bytes go to the connection's decoder and each packet to {@link MqttProtocol}.
 * One bean serves every connection ({@link com.estatechat.container.boundary.SharedEndpointConfigurator}):
 * nothing of a connection goes into a field; it lives in the session's user properties.
 */
@ApplicationScoped
@ServerEndpoint(value = "/mqtt", subprotocols = "mqtt", configurator = MqttHandshake.class)
public class MqttEndpoint {

    private static final Logger LOG = Logger.getLogger(MqttEndpoint.class.getName());
    private static final String MQTT = "estate-chat.mqtt";

    @Inject
    MqttProtocol protocol;

    @Inject
    ChatSettings settings;

    @OnOpen
    @SuppressWarnings("unchecked")
    public void open(Session session) {
        Map<String, Object> properties = session.getUserProperties();
        MqttSession mqtt = new MqttSession(session,
                (Map<String, List<String>>) properties.getOrDefault(MqttHandshake.HEADERS, Map.of()),
                (Map<String, List<String>>) properties.getOrDefault(MqttHandshake.PARAMETERS, Map.of()),
                (String) properties.get(MqttHandshake.REMOTE_ADDRESS),
                new MqttDecoder(settings.maxFrameBytes()));
        properties.put(MQTT, mqtt);
        FrameGuard.of(session).ifPresent(guard -> guard.onRefusal(frame -> protocol.refused(mqtt, frame)));
        protocol.opened(mqtt);
        LOG.fine(() -> "Opened MQTT session " + session.getId());
    }

    /** Taken in parts: a packet may span frames, and an over-size one is refused from its header. */
    @OnMessage
    public void binary(Session session, ByteBuffer data, boolean last) {
        MqttSession mqtt = mqtt(session);
        if (mqtt != null) {
            protocol.received(mqtt, data);
        }
    }

    /** Taken in parts too: refused at its first, never collected whole (Undertow would, without a bound). */
    @OnMessage
    public void text(Session session, String text, boolean last) throws IOException {
        LOG.fine(() -> "Closing MQTT session " + session.getId() + ": a text frame");
        MqttSession mqtt = mqtt(session);
        ChatConnection connection = mqtt == null ? null : mqtt.connection();
        if (connection != null) {
            connection.close(CloseReason.CloseCodes.CANNOT_ACCEPT, "MQTT travels in binary frames");
        } else {
            session.close(new CloseReason(CloseReason.CloseCodes.CANNOT_ACCEPT, "MQTT travels in binary frames"));
        }
    }

    @OnMessage
    public void pong(Session session, PongMessage pong) {
        MqttSession mqtt = mqtt(session);
        ChatConnection connection = mqtt == null ? null : mqtt.connection();
        if (connection != null) {
            connection.ponged(pong.getApplicationData());
        }
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        MqttSession mqtt = mqtt(session);
        if (mqtt != null) {
            protocol.closed(mqtt);
            LOG.fine(() -> "Closed MQTT session " + session.getId() + ": " + LogText.of(reason)); // the client's words
        }
    }

    @OnError
    public void error(Session session, Throwable failure) {
        LOG.log(Level.FINE, failure, () -> "WebSocket error on MQTT session " + session.getId());
    }

    private static MqttSession mqtt(Session session) {
        return (MqttSession) session.getUserProperties().get(MQTT);
    }
}
