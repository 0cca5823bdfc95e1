package com.estatechat.container.boundary;

import com.estatechat.container.control.FrameGuard;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands the container one CDI bean as the endpoint instance of every connection, instead of the
 * new instance per connection that the default configurator makes. Payara's Tyrus builds a CDI
 * injection target, validates it and injects for each one: an eighth of the server's CPU in a
 * connect storm, for endpoints that keep nothing in their fields (a connection's state lives in
 * its session's user properties). An endpoint that uses this is {@code @ApplicationScoped} and
 * stateless; WebSocket 2.1 lets a configurator return a shared instance (§3.1.7).
 * It also hands the connection's {@link FrameGuard}, if the {@link FrameGuardFilter} made one, to the
 * session's user properties: a subclass that modifies the handshake calls this class's method first.
 */
public abstract class SharedEndpointConfigurator extends ServerEndpointConfig.Configurator {

    private final Map<Class<?>, Object> beans = new ConcurrentHashMap<>();

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        try {
            return bean(endpointClass);
        } catch (RuntimeException e) {
            InstantiationException failure = new InstantiationException(
                    "No CDI bean for the endpoint " + endpointClass.getName() + ": " + e);
            failure.initCause(e);
            throw failure;
        }
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        Map<String, Object> properties = config.getUserProperties();
        FrameGuardFilter.ofThisHandshake().ifPresentOrElse(guard -> properties.put(FrameGuard.PROPERTY, guard),
                () -> properties.remove(FrameGuard.PROPERTY));
    }

    /** A bean of the application, looked up once per configurator (one per endpoint and deployment). */
    protected <T> T bean(Class<T> type) {
        Object found = beans.get(type);
        if (found == null) {
            // looked up outside the map's lock; two handshakes that race get the same client proxy's bean
            found = CDI.current().select(type).get();
            Object raced = beans.putIfAbsent(type, found);
            found = raced == null ? found : raced;
        }
        return type.cast(found);
    }
}
