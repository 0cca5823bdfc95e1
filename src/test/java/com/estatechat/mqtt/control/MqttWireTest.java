package com.estatechat.mqtt.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.chat.control.ChatConnection;
import com.estatechat.mqtt.entity.MqttPacket;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The MQTT wire under a real {@link ChatConnection}, on a recording WebSocket session. */
class MqttWireTest {

    static final String MESSAGE = "{\"message\":\"hi\",\"message_id\":\"m-1\",\"redelivered\":%s,"
            + "\"sender_id\":\"bob\",\"type\":\"message\"}";

    /** What was sent, as bytes; each send completes at once, as a client that reads. */
    final List<byte[]> sent = new CopyOnWriteArrayList<>();
    final List<SendHandler> unfinished = new CopyOnWriteArrayList<>();
    volatile boolean completeSends = true;
    private final Map<String, Object> properties = new ConcurrentHashMap<>();

    final Session session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "getId" -> "fake";
                case "isOpen" -> true;
                case "getUserProperties" -> properties;
                case "getAsyncRemote" -> remote();
                case "close" -> null;
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private RemoteEndpoint.Async remote() {
        return (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("sendBinary")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    ByteBuffer buffer = (ByteBuffer) args[0];
                    byte[] bytes = new byte[buffer.remaining()];
                    buffer.get(bytes);
                    sent.add(bytes);
                    if (completeSends) {
                        ((SendHandler) args[1]).onResult(new SendResult());
                    } else {
                        unfinished.add((SendHandler) args[1]);
                    }
                    return null;
                });
    }

    MqttWire wire;

    ChatConnection connection(boolean subscribed, int heldLimit) {
        wire = new MqttWire(session, "alice", 30, subscribed, heldLimit);
        return new ChatConnection(session, Identity.of("alice", Role.TENANT), "{\"type\":\"connected\"}", 100,
                1 << 20, wire);
    }

    static MqttPacket.Publish publish(byte[] bytes) {
        assertThat(bytes[0] & 0xF0).isEqualTo(0x30);
        return (MqttPacket.Publish) new MqttDecoder(1 << 16).feed(ByteBuffer.wrap(bytes)).get(0);
    }

    @Test
    void framesArePublishedAtQosOneWithDupForRedeliveriesAndThePubackSettlesTheMessage() {
        ChatConnection connection = connection(true, 10);
        connection.send(String.format(MESSAGE, "false"));
        connection.send(String.format(MESSAGE, "true"));
        connection.send("{\"type\":\"error\",\"code\":\"bad_json\"}");
        MqttPacket.Publish first = publish(sent.get(0));
        MqttPacket.Publish again = publish(sent.get(1));
        MqttPacket.Publish error = publish(sent.get(2));
        assertThat(first.topic()).isEqualTo("chat/in/alice");
        assertThat(first.qos()).isEqualTo(1);
        assertThat(first.dup()).isFalse();
        assertThat(again.dup()).isTrue();
        assertThat(new String(first.payload(), StandardCharsets.UTF_8)).isEqualTo(String.format(MESSAGE, "false"));
        assertThat(List.of(first.packetId(), again.packetId(), error.packetId())).doesNotHaveDuplicates();
        assertThat(wire.acknowledge(first.packetId())).isEqualTo("m-1");
        assertThat(wire.acknowledge(first.packetId())).as("a second PUBACK of it").isNull();
        assertThat(wire.acknowledge(error.packetId())).as("an error frame settles nothing").isNull();
        assertThat(wire.acknowledge(999)).isNull();
    }

    @Test
    void aReceiptIsProvenByItsPubackAndUnprovenWhenTheConnectionEndsFirst() {
        ChatConnection connection = connection(true, 10);
        List<Boolean> proofs = new ArrayList<>();
        connection.sendProven("{\"type\":\"receipt\",\"status\":\"delivered\"}", proofs::add);
        connection.sendProven("{\"type\":\"receipt\",\"status\":\"queued\"}", proofs::add);
        assertThat(wire.acknowledge(publish(sent.get(0)).packetId())).isNull();
        assertThat(proofs).containsExactly(true);
        connection.closed();
        assertThat(proofs).containsExactly(true, false);
        assertThat(wire.acknowledge(publish(sent.get(1)).packetId())).as("after the close").isNull();
        assertThat(proofs).containsExactly(true, false);
    }

    @Test
    void beforeTheSubscribeControlPacketsPassAndPublishesWaitThenGoFirst() {
        ChatConnection connection = connection(false, 2);
        connection.send(MqttWire.control(MqttEncoder.connAck(false, 0)));
        connection.send(String.format(MESSAGE, "false"));
        List<Boolean> proofs = new ArrayList<>();
        connection.sendProven("{\"type\":\"receipt\"}", proofs::add);
        connection.sendProven("{\"type\":\"receipt\",\"n\":3}", proofs::add); // over the limit of 2 held
        connection.send(MqttWire.control(MqttEncoder.subAck(1, List.of(0x80)))); // not held back
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0)).containsExactly(0x20, 2, 0, 0);
        assertThat(sent.get(1)[0] & 0xFF).isEqualTo(0x90);
        assertThat(proofs).as("the third held one is reported unwritten at once").containsExactly(false);

        wire.subscribe();
        connection.send(MqttWire.control(MqttEncoder.subAck(2, List.of(1))));
        assertThat(sent).hasSize(5);
        assertThat(publish(sent.get(2)).payload()).isEqualTo(String.format(MESSAGE, "false")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(new String(publish(sent.get(3)).payload(), StandardCharsets.UTF_8)).contains("receipt");
        assertThat(sent.get(4)[0] & 0xFF).isEqualTo(0x90);
    }

    @Test
    void oneSendAtATimeWhateverTheThread() {
        ChatConnection connection = connection(false, 10);
        completeSends = false;
        connection.send(String.format(MESSAGE, "false"));
        connection.send(MqttWire.control(MqttEncoder.pingResp()));
        wire.subscribe(); // the held PUBLISH must wait for the PINGRESP in flight
        assertThat(sent).hasSize(1);
        unfinished.remove(0).onResult(new SendResult());
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1)[0] & 0xF0).isEqualTo(0x30);
        unfinished.remove(0).onResult(new SendResult());
        assertThat(unfinished).isEmpty();
    }
}
