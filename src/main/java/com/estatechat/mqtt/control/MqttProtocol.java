package com.estatechat.mqtt.control;

import com.estatechat.auth.control.Admission;
import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.identity.Identity;
import com.estatechat.chat.control.ChatConnection;
import com.estatechat.json.JsonCodec;
import com.estatechat.chat.control.Heartbeat;
import com.estatechat.chat.control.Relay;
import com.estatechat.chat.control.SessionRegistry;
import com.estatechat.chat.entity.ConnectedFrame;
import com.estatechat.container.control.FrameScanner;
import com.estatechat.logging.LogText;
import com.estatechat.mqtt.entity.MqttPacket;
import com.estatechat.mqtt.entity.MqttViolation;
import com.estatechat.settings.ChatSettings;
import com.estatechat.settings.LiveSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * MQTT 3.1.1 on the chat's core: what each packet of a client does. CONNECT is a handshake (its user
 * name the user id, its password the token or shared secret, checked by the same
 * {@link IdentityResolver} as {@code /ws}); a PUBLISH to {@value #OUT_TOPIC} is a client frame for the
 * {@link Relay}, acknowledged once the relay answered it; a PUBACK of a message is its ack. Runs on
 * the container's threads and only hands over: the relay continues on the user's lane.
 */
@ApplicationScoped
public class MqttProtocol {

    private static final Logger LOG = Logger.getLogger(MqttProtocol.class.getName());
    /** Where a client publishes its frames. */
    public static final String OUT_TOPIC = "chat/out";

    @Inject
    IdentityResolver identities;

    @Inject
    SessionRegistry registry;

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

    /**
     * A socket was opened: until its CONNECT is accepted nobody is signed in, so it is closed (1008)
     * at {@code chat.mqtt.connect-timeout} however it spends its bytes (an idle timeout restarts on each).
     */
    public void opened(MqttSession mqtt) {
        Duration timeout = settings.mqttConnectTimeout();
        mqtt.connectDeadline(heartbeat.deadline(timeout, () -> {
            if (mqtt.settleConnect() && !mqtt.ended()) {
                refuse(mqtt, CloseReason.CloseCodes.VIOLATED_POLICY, "no CONNECT within " + timeout.toMillis() + " ms");
            }
        }));
    }

    /** The next bytes of the connection's binary frames. */
    public void received(MqttSession mqtt, ByteBuffer data) {
        if (mqtt.ended()) {
            return;
        }
        List<MqttPacket> packets;
        try {
            packets = mqtt.decoder().feed(data);
        } catch (MqttViolation violation) {
            refuse(mqtt, violation.tooLarge() ? CloseReason.CloseCodes.TOO_BIG : CloseReason.CloseCodes.PROTOCOL_ERROR,
                    violation.getMessage());
            // the packets decoded before it are dropped: the connection ends anyway
            return;
        }
        for (MqttPacket packet : packets) {
            if (mqtt.ended()) {
                return;
            }
            try {
                handle(mqtt, packet);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, e, () -> "Closing the MQTT connection of " + mqtt.describe() + ": a "
                        + packet.getClass().getSimpleName() + " could not be handled");
                close(mqtt, CloseReason.CloseCodes.UNEXPECTED_CONDITION, "internal error");
            }
        }
    }

    private void handle(MqttSession mqtt, MqttPacket packet) {
        ChatConnection connection = mqtt.connection();
        if (connection == null) {
            if (packet instanceof MqttPacket.Connect connect) {
                connect(mqtt, connect);
            } else {
                refuse(mqtt, CloseReason.CloseCodes.PROTOCOL_ERROR, "the first packet must be CONNECT");
            }
            return;
        }
        connection.touch();
        if (packet instanceof MqttPacket.Publish publish) {
            publish(mqtt, connection, publish);
        } else if (packet instanceof MqttPacket.PubAck ack) {
            String messageId = mqtt.wire().acknowledge(ack.packetId());
            if (messageId != null) {
                relay.acknowledged(connection, messageId);
            }
        } else if (packet instanceof MqttPacket.Subscribe subscribe) {
            subscribe(mqtt, connection, subscribe);
        } else if (packet instanceof MqttPacket.Unsubscribe unsubscribe) {
            if (unsubscribe.filters().contains(mqtt.wire().topic())) {
                mqtt.wire().unsubscribe();
            }
            connection.send(MqttWire.control(MqttEncoder.unsubAck(unsubscribe.packetId())));
        } else if (packet instanceof MqttPacket.PingReq) {
            connection.send(MqttWire.control(MqttEncoder.pingResp()));
        } else if (packet instanceof MqttPacket.Disconnect) {
            mqtt.end();
            LOG.fine(() -> "MQTT DISCONNECT from " + mqtt.describe());
            connection.close(CloseReason.CloseCodes.NORMAL_CLOSURE, "disconnected");
        } else if (packet instanceof MqttPacket.QosTwoStep) {
            refuse(mqtt, CloseReason.CloseCodes.VIOLATED_POLICY, "QoS 2 is not supported: publish at QoS 1");
        } else {
            refuse(mqtt, CloseReason.CloseCodes.PROTOCOL_ERROR, "a second CONNECT");
        }
    }

    private void connect(MqttSession mqtt, MqttPacket.Connect connect) {
        LOG.fine(() -> "MQTT " + connect + " on " + mqtt.describe());
        if (connect.protocolLevel() != 4) {
            refuseConnect(mqtt, MqttEncoder.UNACCEPTABLE_PROTOCOL, "protocol level " + connect.protocolLevel()
                    + " refused: only MQTT 3.1.1 (level 4) is served");
            return;
        }
        if (connect.will()) {
            refuse(mqtt, CloseReason.CloseCodes.VIOLATED_POLICY, "wills are not supported");
            return;
        }
        if (connect.clientId().isEmpty() && !connect.cleanSession()) {
            refuseConnect(mqtt, MqttEncoder.IDENTIFIER_REJECTED, "an empty client id needs a clean session");
            return;
        }
        if (connect.username() == null) {
            refuseConnect(mqtt, MqttEncoder.BAD_USERNAME_OR_PASSWORD, "no user name: it is the user id");
            return;
        }
        Admission admission = identities.resolveMqttConnect(credentials(mqtt, connect), mqtt.remoteAddress());
        if (!admission.admitted()) {
            HandshakeRefusal refusal = admission.refusal();
            refuseConnect(mqtt, refusal.status() == 403 ? MqttEncoder.NOT_AUTHORIZED
                    : MqttEncoder.BAD_USERNAME_OR_PASSWORD, refusal.status() + " " + refusal.reason());
            return;
        }
        Identity identity = admission.identity();
        if (!registry.hasRoomFor(identity.userId())) {
            refuseConnect(mqtt, MqttEncoder.SERVER_UNAVAILABLE, identity.userId()
                    + " has chat.session.max-per-user connections already");
            return;
        }
        if (!mqtt.settleConnect()) {
            return; // the deadline came first and is closing the socket
        }
        // the heartbeat (or the keep-alive) decides from now on when the connection is dead
        mqtt.session().setMaxIdleTimeout(0);
        MqttWire wire = new MqttWire(mqtt.session(), identity.userId(), connect.keepAliveSeconds(),
                !connect.cleanSession(), settings.sendQueueLimit());
        String greeting = codec.toJson(ConnectedFrame.of(identity.userId(), identity.role().wireName(),
                live.current().heartbeatInterval().toSeconds()));
        ChatConnection connection = new ChatConnection(mqtt.session(), identity, greeting, settings.sendQueueLimit(),
                settings.sendQueueBytes(), wire);
        // CONNACK first; the connected frame follows once the inbox is consumed (as on /ws).
        // Session present: the inbox is durable, so a client that keeps its session finds it.
        connection.send(MqttWire.control(MqttEncoder.connAck(!connect.cleanSession(), MqttEncoder.ACCEPTED)));
        mqtt.connected(connection, wire);
        // the cap was checked above for a CONNACK that refuses; a CONNECT that raced another is closed here (1013)
        if (!registry.register(connection)) {
            return;
        }
        heartbeat.closeAtExpiry(connection);
        LOG.fine(() -> "MQTT connection of " + identity.userId() + " (session " + connection.id() + ", client id "
                + LogText.of(connect.clientId()) + ", keep-alive " + connect.keepAliveSeconds() + " s, clean "
                + connect.cleanSession() + ")");
    }

    /**
     * The CONNECT as a handshake: the user name is the {@code id} parameter; the password is the
     * {@code Authorization} header (mode {@code header}: the shared secret) and the
     * {@code access_token} parameter (mode {@code jwt}); {@code role} (modes {@code none} and
     * {@code header}), {@code Origin} and {@code Host} come from the WebSocket handshake.
     */
    private static HandshakeCredentials credentials(MqttSession mqtt, MqttPacket.Connect connect) {
        HandshakeCredentials handshake = HandshakeCredentials.of(mqtt.parameters(), mqtt.headers());
        return new HandshakeCredentials(name -> switch (name) {
            case IdentityResolver.ID_PARAMETER -> connect.username();
            case IdentityResolver.ROLE_PARAMETER -> handshake.parameter().apply(name);
            case "access_token" -> connect.password();
            default -> null;
        }, name -> {
            if (name.equalsIgnoreCase("Authorization")) {
                return connect.password();
            }
            if (name.equalsIgnoreCase("Origin") || name.equalsIgnoreCase("Host")) {
                return handshake.header().apply(name);
            }
            return null; // never a bearer. subprotocol: the password is the token
        });
    }

    private void publish(MqttSession mqtt, ChatConnection connection, MqttPacket.Publish publish) {
        if (publish.qos() != 1) {
            refuse(mqtt, CloseReason.CloseCodes.VIOLATED_POLICY, "QoS " + publish.qos()
                    + " PUBLISH refused: publish at QoS 1, so that nothing is acknowledged before it is safe");
            return;
        }
        if (publish.retain()) {
            refuse(mqtt, CloseReason.CloseCodes.VIOLATED_POLICY, "retained messages are not supported");
            return;
        }
        if (!OUT_TOPIC.equals(publish.topic())) {
            refuse(mqtt, CloseReason.CloseCodes.VIOLATED_POLICY, "PUBLISH to " + publish.topic()
                    + " refused: publish to " + OUT_TOPIC);
            return;
        }
        String frame;
        try {
            frame = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(publish.payload()))
                    .toString();
        } catch (CharacterCodingException e) {
            refuse(mqtt, CloseReason.CloseCodes.NOT_CONSISTENT, "a PUBLISH payload that is not UTF-8 JSON text");
            return;
        }
        int packetId = publish.packetId();
        relay.onFrame(connection, frame).whenComplete((answered, failure) -> {
            if (failure == null) {
                // after the queued receipt or the error frame, in the connection's order
                connection.send(MqttWire.control(MqttEncoder.pubAck(packetId)));
            } else {
                LOG.log(Level.WARNING, failure, () -> "Closing the MQTT connection of " + mqtt.describe()
                        + ": a PUBLISH could not be answered");
                close(mqtt, CloseReason.CloseCodes.UNEXPECTED_CONDITION, "internal error");
            }
        });
    }

    private void subscribe(MqttSession mqtt, ChatConnection connection, MqttPacket.Subscribe subscribe) {
        List<Integer> codes = new ArrayList<>();
        boolean granted = false;
        for (MqttPacket.Subscription subscription : subscribe.subscriptions()) {
            // QoS 0 is refused too: a delivery leaves the inbox only when the client acknowledged it
            if (subscription.filter().equals(mqtt.wire().topic()) && subscription.qos() > 0) {
                codes.add(1);
                granted = true;
            } else {
                codes.add(MqttEncoder.SUBSCRIPTION_REFUSED);
                LOG.fine(() -> "MQTT subscription to " + LogText.of(subscription.filter()) + " at QoS "
                        + subscription.qos() + " refused for " + mqtt.describe());
            }
        }
        if (granted) {
            mqtt.wire().subscribe();
        }
        connection.send(MqttWire.control(MqttEncoder.subAck(subscribe.packetId(), codes)));
    }

    /** Answers CONNECT with a refusal's return code, then closes once it is written. */
    private void refuseConnect(MqttSession mqtt, int returnCode, String why) {
        mqtt.end();
        LOG.info(() -> "Refused the MQTT CONNECT of " + mqtt.describe() + " with return code " + returnCode + ": "
                + LogText.of(why));
        // nothing else writes this session before CONNECT is accepted
        try {
            mqtt.session().getAsyncRemote().sendBinary(MqttEncoder.connAck(false, returnCode),
                    result -> closeSession(mqtt, CloseReason.CloseCodes.VIOLATED_POLICY, "connection refused"));
        } catch (RuntimeException e) {
            closeSession(mqtt, CloseReason.CloseCodes.VIOLATED_POLICY, "connection refused");
        }
    }

    /**
     * A frame over chat.max-frame-bytes that the container's guard refused from its header, before
     * buffering it: closed with the code its content would get (an over-size packet, a text frame).
     */
    public void refused(MqttSession mqtt, FrameScanner.Refusal frame) {
        if (mqtt.ended()) {
            return;
        }
        switch (frame.kind()) {
            case BINARY -> refuse(mqtt, CloseReason.CloseCodes.TOO_BIG,
                    "a frame of " + frame.announcedBytes() + " bytes, over chat.max-frame-bytes");
            case TEXT -> refuse(mqtt, CloseReason.CloseCodes.CANNOT_ACCEPT, "MQTT travels in binary frames");
            case OTHER -> refuse(mqtt, CloseReason.CloseCodes.PROTOCOL_ERROR, "a data frame outside any message");
        }
    }

    /** A policy or protocol violation: logged with its reason, and the connection closes. */
    private void refuse(MqttSession mqtt, CloseReason.CloseCode code, String why) {
        // why may quote the client's bytes (a protocol name, a topic)
        LOG.info(() -> "Closing the MQTT connection of " + mqtt.describe() + ": " + LogText.of(why));
        close(mqtt, code, why);
    }

    private void close(MqttSession mqtt, CloseReason.CloseCode code, String reason) {
        mqtt.end();
        ChatConnection connection = mqtt.connection();
        // a close reason holds at most 123 bytes of UTF-8
        String shortReason = reason.getBytes(StandardCharsets.UTF_8).length <= 123 ? reason
                : reason.substring(0, Math.min(reason.length(), 40));
        if (connection != null) {
            connection.close(code, shortReason);
        } else {
            closeSession(mqtt, code, shortReason);
        }
    }

    private static void closeSession(MqttSession mqtt, CloseReason.CloseCode code, String reason) {
        try {
            if (mqtt.session().isOpen()) {
                mqtt.session().close(new CloseReason(code, reason));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, e, () -> "Closing " + mqtt.describe() + " failed");
        }
    }

    /** The WebSocket closed, from either side: the user's lane forgets the connection. */
    public void closed(MqttSession mqtt) {
        mqtt.end();
        mqtt.settleConnect(); // the deadline's timer leaves the heartbeat's queue
        ChatConnection connection = mqtt.connection();
        if (connection != null) {
            registry.unregister(connection);
            connection.closed();
        }
    }
}
