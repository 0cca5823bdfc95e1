package com.estatechat.chat.boundary;

import com.estatechat.auth.control.Admission;
import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.chat.control.ChatMetrics;
import com.estatechat.container.boundary.SharedEndpointConfigurator;
import com.estatechat.metrics.StepMeter;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * Puts the handshake's identity into the session's user properties (WebSocket 2.1 makes them a
 * per-connection copy). The {@link com.estatechat.chat.boundary.HandshakeFilter} has already
 * refused bad handshakes with an HTTP status; this only carries the result over to the session.
 * It also selects the subprotocol {@value HandshakeCredentials#PROTOCOL} when the client offers
 * it, and never a {@code bearer.} one: that would send the token back in a response header. Every
 * connection is served by the one {@link ChatEndpoint} bean (see {@link SharedEndpointConfigurator}).
 */
public class HandshakeConfigurator extends SharedEndpointConfigurator {

    static final String IDENTITY = "estate-chat.identity";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        super.modifyHandshake(config, request, response);
        StepMeter auth = bean(ChatMetrics.class).auth();
        StepMeter.Start resolving = auth.start();
        Admission admission = bean(IdentityResolver.class)
                .resolve(HandshakeCredentials.of(request.getParameterMap(), request.getHeaders()));
        auth.stop(resolving);
        if (admission.admitted()) {
            config.getUserProperties().put(IDENTITY, admission.identity());
        } else {
            config.getUserProperties().remove(IDENTITY);
        }
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        // Tyrus hands over the header's values as they came: split them like the filter does
        for (String value : requested) {
            if (HandshakeCredentials.subprotocols(value).contains(HandshakeCredentials.PROTOCOL)) {
                return HandshakeCredentials.PROTOCOL;
            }
        }
        return "";
    }
}
