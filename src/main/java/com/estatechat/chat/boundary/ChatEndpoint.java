package com.estatechat.chat.boundary;

import com.estatechat.identity.Identity;
import com.estatechat.chat.control.ChatConnection;
import com.estatechat.chat.control.ChatMetrics;
import com.estatechat.metrics.StepMeter;
import com.estatechat.json.JsonCodec;
import com.estatechat.chat.control.Heartbeat;
import com.estatechat.chat.control.Relay;
import com.estatechat.chat.control.SessionRegistry;
import com.estatechat.chat.control.TextParts;
import com.estatechat.chat.entity.ConnectedFrame;
import com.estatechat.container.control.FrameGuard;
import com.estatechat.container.control.FrameScanner;
import com.estatechat.logging.LogText;
import com.estatechat.settings.ChatSettings;
import com.estatechat.settings.LiveSettings;
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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The chat's WebSocket: {@code ws://host/ws?id=<userId>}. Thin on purpose: it takes the identity
 * from the handshake, registers the connection, and hands every frame to the {@link Relay}.
 * One bean serves every connection ({@link com.estatechat.container.boundary.SharedEndpointConfigurator}):
 * nothing of a connection goes into a field; it lives in the session's user properties.
 */
@ApplicationScoped
@ServerEndpoint(value = "/ws", configurator = HandshakeConfigurator.class)
public class ChatEndpoint {

    private static final Logger LOG = Logger.getLogger(ChatEndpoint.class.getName());
    private static final String CONNECTION = "estate-chat.connection";
    private static final String TEXT_PARTS = "estate-chat.text-parts";
    private static final String BINARY_REFUSED = "binary frames are not accepted: send JSON text";

    @Inject
    SessionRegistry registry;

    @Inject
    ChatMetrics metrics;

    @Inject
    Heartbeat heartbeat;

    @Inject
    Relay relay;

    @Inject
    JsonCodec codec;

    @Inject
    ChatSettings settings;

    @Inject
    LiveSettings live;

    @OnOpen
    public void open(Session session) throws IOException {
        StepMeter.Start started = metrics.open().start();
        try {
            opened(session);
        } finally {
            metrics.open().stop(started);
        }
    }

    private void opened(Session session) throws IOException {
        FrameGuard.of(session).ifPresent(guard -> guard.onRefusal(frame -> refuse(session, frame)));
        if (!(session.getUserProperties().get(HandshakeConfigurator.IDENTITY) instanceof Identity identity)) {
            session.close(new CloseReason(CloseReason.CloseCodes.VIOLATED_POLICY, "not authenticated"));
            return;
        }
        // the heartbeat decides when a connection is dead; frames over the limit close with 1009 (TextParts)
        session.setMaxIdleTimeout(0);
        session.getUserProperties().put(TEXT_PARTS, new TextParts(settings.maxFrameBytes()));
        String greeting = codec.toJson(ConnectedFrame.of(identity.userId(), identity.role().wireName(),
                live.current().heartbeatInterval().toSeconds()));
        ChatConnection connection = new ChatConnection(session, identity, greeting, settings.sendQueueLimit(),
                settings.sendQueueBytes());
        session.getUserProperties().put(CONNECTION, connection);
        // the connected frame follows once the user's inbox is consumed (see OnlineUser); the
        // HandshakeFilter answered 429 before the upgrade, and handshakes that raced it are closed here (1013)
        if (!registry.register(connection)) {
            return;
        }
        heartbeat.closeAtExpiry(connection);
        LOG.fine(() -> "Opened session " + session.getId() + " for " + identity.userId());
    }

    /**
     * Taken in parts, joined here up to chat.max-frame-bytes: past it the connection closes (1009)
     * at once, whatever the container would have buffered of the rest.
     */
    @OnMessage
    public void text(Session session, String part, boolean last) {
        ChatConnection connection = connection(session);
        if (connection == null) {
            return;
        }
        TextParts parts = (TextParts) session.getUserProperties().get(TEXT_PARTS);
        if (!parts.add(part)) {
            LOG.fine(() -> "Closing session " + session.getId() + " of " + connection.userId()
                    + ": frame over chat.max-frame-bytes");
            connection.close(CloseReason.CloseCodes.TOO_BIG, "frame larger than " + settings.maxFrameBytes() + " bytes");
            return;
        }
        if (last) {
            relay.onText(connection, parts.take());
        }
    }

    /**
     * The protocol is JSON text. Without this handler Tyrus dropped a binary frame without a word
     * and the client waited for an answer that never came; it is taken in parts, so that even a
     * large one is refused at its first bytes.
     */
    @OnMessage
    public void binary(Session session, ByteBuffer data, boolean last) {
        ChatConnection connection = connection(session);
        if (connection != null) {
            LOG.fine(() -> "Closing session " + session.getId() + " of " + connection.userId() + ": binary frame");
            connection.close(CloseReason.CloseCodes.CANNOT_ACCEPT, BINARY_REFUSED);
        }
    }

    /**
     * A frame over chat.max-frame-bytes that the container's guard refused from its header, before
     * buffering it: closed with the code the whole frame would get.
     */
    private void refuse(Session session, FrameScanner.Refusal frame) {
        CloseReason reason = switch (frame.kind()) {
            case TEXT -> new CloseReason(CloseReason.CloseCodes.TOO_BIG,
                    "frame larger than " + settings.maxFrameBytes() + " bytes");
            case BINARY -> new CloseReason(CloseReason.CloseCodes.CANNOT_ACCEPT, BINARY_REFUSED);
            case OTHER -> new CloseReason(CloseReason.CloseCodes.PROTOCOL_ERROR, "a data frame outside any message");
        };
        ChatConnection connection = connection(session);
        LOG.fine(() -> "Closing session " + session.getId() + " of "
                + (connection == null ? "an unregistered user" : connection.userId()) + ": a frame announcing "
                + frame.announcedBytes() + " bytes, refused from its header (" + frame.kind() + ")");
        if (connection != null) {
            connection.close(reason.getCloseCode(), reason.getReasonPhrase());
            return;
        }
        try {
            session.close(reason);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "Closing session " + session.getId() + " failed");
        }
    }

    @OnMessage
    public void pong(Session session, PongMessage pong) {
        ChatConnection connection = connection(session);
        if (connection != null) {
            connection.ponged(pong.getApplicationData());
        }
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        ChatConnection connection = connection(session);
        if (connection != null) {
            registry.unregister(connection);
            connection.closed();
            LOG.fine(() -> "Closed session " + session.getId() + " of " + connection.userId() + ": "
                    + LogText.of(reason)); // the client's words
        }
    }

    @OnError
    public void error(Session session, Throwable failure) {
        ChatConnection connection = connection(session);
        String user = connection == null ? "an unregistered user" : connection.userId();
        LOG.log(Level.FINE, failure, () -> "WebSocket error on session " + session.getId() + " of " + user);
    }

    private static ChatConnection connection(Session session) {
        return (ChatConnection) session.getUserProperties().get(CONNECTION);
    }
}
