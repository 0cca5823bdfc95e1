package com.estatechat.mqtt.boundary;

import com.estatechat.container.boundary.SharedEndpointConfigurator;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps what the MQTT connection's identity needs from the WebSocket handshake: its headers
 * ({@code Origin}, {@code Host}), its query parameters ({@code role}) and the client's address.
 * Nothing is checked here: an MQTT client proves who it is in CONNECT, and is answered in CONNACK.
 * Every connection is served by the one {@link MqttEndpoint} bean (see {@link SharedEndpointConfigurator}).
 */
public class MqttHandshake extends SharedEndpointConfigurator {

    static final String HEADERS = "estate-chat.mqtt.headers";
    static final String PARAMETERS = "estate-chat.mqtt.parameters";
    static final String REMOTE_ADDRESS = "estate-chat.mqtt.remote-address";
    private static final Logger LOG = Logger.getLogger(MqttHandshake.class.getName());

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        super.modifyHandshake(config, request, response);
        Map<String, Object> properties = config.getUserProperties();
        properties.put(HEADERS, new HashMap<>(request.getHeaders()));
        properties.put(PARAMETERS, new HashMap<>(request.getParameterMap()));
        String address = remoteAddress(request);
        if (address == null) {
            properties.remove(REMOTE_ADDRESS);
        } else {
            properties.put(REMOTE_ADDRESS, address);
        }
    }

    /**
     * The client's address: the WebSocket API has no accessor for it, Tyrus's request has one (on
     * other containers there is none, and mode {@code none} then needs
     * {@code chat.auth.none.allow-remote}).
     */
    static String remoteAddress(HandshakeRequest request) {
        try {
            Object address = request.getClass().getMethod("getRemoteAddr").invoke(request);
            return address instanceof String text ? text : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "No remote address on " + request.getClass().getName());
            return null;
        }
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        for (String value : requested) {
            for (String offered : value.split(",")) {
                if (supported.contains(offered.trim())) {
                    return offered.trim();
                }
            }
        }
        return "";
    }
}
