package com.estatechat.mqtt.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.auth.control.TestIdentities;
import com.estatechat.chat.control.ChatConnection;
import com.estatechat.json.JsonCodec;
import com.estatechat.chat.control.Heartbeat;
import com.estatechat.chat.control.TestRegistries;
import com.estatechat.settings.ChatSettings;
import com.estatechat.settings.LiveSettings;
import com.estatechat.settings.TestSettings;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, item 7: mode {@code header} is one shared secret, fit for a trusted backend; on
 * {@code /mqtt} every client would have to hold it as its CONNECT password, and whoever has it is
 * any user, admin included. So {@code /mqtt} refuses it unless {@code chat.auth.header.allow-mqtt}.
 */
class MqttHeaderModeTest {

    static final String SECRET = "s3cret-from-.env";

    private final MqttProtocol cut = new MqttProtocol();
    private final List<ByteBuffer> sent = new CopyOnWriteArrayList<>();

    @Test
    void aConnectWithTheSharedSecretIsNotAuthorizedByDefault() {
        start(false);

        cut.received(session(), ByteBuffer.wrap(MqttPackets.connect("app", "root", SECRET, 0xC2, 30)));

        assertThat(connAckReturnCode()).as("CONNACK's return code").isEqualTo(MqttEncoder.NOT_AUTHORIZED);
    }

    @Test
    void aConnectWithTheSharedSecretIsAcceptedWhereAllowed() {
        start(true);

        cut.received(session(), ByteBuffer.wrap(MqttPackets.connect("app", "root", SECRET, 0xC2, 30)));

        assertThat(connAckReturnCode()).as("CONNACK's return code").isEqualTo(MqttEncoder.ACCEPTED);
    }

    /** The first packet written, a CONNACK: its fourth byte. */
    private int connAckReturnCode() {
        assertThat(sent).as("packets written").isNotEmpty();
        ByteBuffer connAck = sent.get(0);
        assertThat(connAck.get(0)).as("a CONNACK").isEqualTo((byte) 0x20);
        return connAck.get(3);
    }

    private void start(boolean allowMqtt) {
        LiveSettings live = TestSettings.live(Map.of("chat.allow-missing-origin", "true"));
        cut.identities = TestIdentities.headerMode(SECRET, allowMqtt, live);
        cut.registry = TestRegistries.withoutBroker(live);
        cut.live = live;
        cut.codec = new JsonCodec();
        cut.settings = new ChatSettings() {
            @Override
            public int sendQueueLimit() {
                return 100;
            }

            @Override
            public int sendQueueBytes() {
                return 1 << 20;
            }
        };
        cut.heartbeat = new Heartbeat() {
            @Override
            public void closeAtExpiry(ChatConnection connection) {
                // mode header has no token to expire
            }
        };
    }

    private MqttSession session() {
        RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "sendBinary" -> {
                        sent.add(((ByteBuffer) args[0]).duplicate());
                        ((SendHandler) args[1]).onResult(new SendResult());
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        Session session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> "s1";
                    case "isOpen" -> true;
                    case "getAsyncRemote" -> remote;
                    case "close", "setMaxIdleTimeout" -> null;
                    case "getUserProperties" -> new java.util.HashMap<String, Object>();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new MqttSession(session, Map.of(), Map.of(), "192.0.2.7", new MqttDecoder(65536));
    }
}
