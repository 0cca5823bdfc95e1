package com.estatechat.chat.boundary;

import com.estatechat.auth.control.Admission;
import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.auth.entity.HandshakeCredentials;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;

/**
 * Puts the handshake's identity into the session's user properties (WebSocket 2.1 makes them a
 * per-connection copy). The {@link com.estatechat.auth.boundary.HandshakeFilter} has already
 * refused bad handshakes with an HTTP status; this only carries the result over to the session.
 */
public class HandshakeConfigurator extends ServerEndpointConfig.Configurator {

    static final String IDENTITY = "estate-chat.identity";

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Admission admission = CDI.current().select(IdentityResolver.class).get()
                .resolve(HandshakeCredentials.of(request.getParameterMap(), request.getHeaders()));
        if (admission.admitted()) {
            config.getUserProperties().put(IDENTITY, admission.identity());
        } else {
            config.getUserProperties().remove(IDENTITY);
        }
    }
}
