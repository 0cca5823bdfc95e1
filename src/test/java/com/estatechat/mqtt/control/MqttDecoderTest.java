package com.estatechat.mqtt.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static com.estatechat.mqtt.control.MqttPackets.connect;
import static com.estatechat.mqtt.control.MqttPackets.packet;
import static com.estatechat.mqtt.control.MqttPackets.publish;
import static com.estatechat.mqtt.control.MqttPackets.string;

import com.estatechat.mqtt.entity.MqttPacket;
import com.estatechat.mqtt.entity.MqttViolation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MQTT packet decoder and encoder: what real clients send decodes, anything else is a violation. */
class MqttDecoderTest {

    static final int MAX = 1024;

    static List<MqttPacket> decode(byte[] bytes) {
        return new MqttDecoder(MAX).feed(ByteBuffer.wrap(bytes));
    }

    static MqttViolation violation(byte[] bytes) {
        MqttViolation violation = catchThrowableOfType(MqttViolation.class, () -> decode(bytes));
        assertThat(violation).as("violation for %s", HexFormat.of().formatHex(bytes)).isNotNull();
        return violation;
    }

    @Test
    void connectDecodesWithUserAndPassword() {
        MqttPacket.Connect connect = (MqttPacket.Connect) decode(connect("phone-1", "alice", "s3cret", 0xC2, 60))
                .get(0);
        assertThat(connect).isEqualTo(new MqttPacket.Connect(4, "phone-1", true, 60, false, "alice", "s3cret"));
        assertThat(connect.toString()).doesNotContain("s3cret");
    }

    @Test
    void otherProtocolLevelsDecodeForTheirRefusal() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQIsdp");
        body.write(3);
        body.writeBytes(new byte[] {2, 0, 60, 0, 1, 'x'});
        assertThat(((MqttPacket.Connect) decode(packet(0x10, body.toByteArray())).get(0)).protocolLevel()).isEqualTo(3);
    }

    @Test
    void publishSubscribeAndTheRestDecode() {
        assertThat(decode(publish("chat/out", 1, 7, "{\"x\":1}")).get(0)).satisfies(packet -> {
            MqttPacket.Publish publish = (MqttPacket.Publish) packet;
            assertThat(publish.topic()).isEqualTo("chat/out");
            assertThat(publish.qos()).isEqualTo(1);
            assertThat(publish.packetId()).isEqualTo(7);
            assertThat(new String(publish.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"x\":1}");
        });
        ByteArrayOutputStream subscribe = new ByteArrayOutputStream();
        subscribe.writeBytes(new byte[] {0, 9});
        string(subscribe, "chat/in/alice");
        subscribe.write(1);
        string(subscribe, "chat/#");
        subscribe.write(0);
        assertThat(decode(packet(0x82, subscribe.toByteArray()))).containsExactly(new MqttPacket.Subscribe(9,
                List.of(new MqttPacket.Subscription("chat/in/alice", 1), new MqttPacket.Subscription("chat/#", 0))));
        assertThat(decode(new byte[] {0x40, 2, 1, 2, (byte) 0xC0, 0, (byte) 0xE0, 0})).containsExactly(
                new MqttPacket.PubAck(258), new MqttPacket.PingReq(), new MqttPacket.Disconnect());
    }

    @Test
    void packetsCutAnywhereOrJoinedDecodeTheSame() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(connect("c", "bob", null, 0x82, 30));
        stream.writeBytes(publish("chat/out", 1, 1, "x".repeat(300)));
        stream.writeBytes(new byte[] {0x40, 2, 0, 5, (byte) 0xC0, 0});
        byte[] bytes = stream.toByteArray();
        List<MqttPacket> whole = decode(bytes);
        assertThat(whole).hasSize(4);
        for (int chunk = 1; chunk < 8; chunk++) {
            MqttDecoder cut = new MqttDecoder(MAX);
            List<MqttPacket> pieces = new ArrayList<>();
            for (int at = 0; at < bytes.length; at += chunk) {
                pieces.addAll(cut.feed(ByteBuffer.wrap(bytes, at, Math.min(chunk, bytes.length - at))));
            }
            assertThat(pieces).usingRecursiveFieldByFieldElementComparator().isEqualTo(whole);
            assertThat(cut.hasPartialPacket()).isFalse();
        }
    }

    @Test
    void aPacketOverTheLimitIsRefusedFromItsHeader() {
        MqttDecoder cut = new MqttDecoder(MAX);
        // only the header of a 2,000-byte PUBLISH: refused before the body is buffered
        MqttViolation violation = catchThrowableOfType(MqttViolation.class,
                () -> cut.feed(ByteBuffer.wrap(new byte[] {0x32, (byte) 0xD0, 0x0F})));
        assertThat(violation.tooLarge()).isTrue();
        assertThat(decode(publish("chat/out", 1, 1, "x".repeat(MAX - 15)))).hasSize(1);
        assertThat(violation(publish("chat/out", 1, 1, "x".repeat(MAX - 13))).tooLarge()).isTrue();
    }

    @Test
    void malformedPacketsAreViolations() {
        // remaining length: five bytes, and a longer form than needed
        violation(new byte[] {0x30, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});
        violation(new byte[] {(byte) 0xC0, (byte) 0x80, 0x00});
        // reserved and server-only types, wrong fixed-header flags
        for (int first : new int[] {0x00, 0xF0, 0x20, 0x90, 0xB0, 0xD0, 0xC1, 0x80, 0x41, 0x36}) {
            violation(new byte[] {(byte) first, 0});
        }
        // QoS 0 with DUP, a wildcard in a topic name, an empty topic, packet id 0
        violation(new byte[] {0x38, 3, 0, 1, 'a'});
        violation(publish("chat/+", 1, 1, "x"));
        violation(publish("", 1, 1, "x"));
        violation(publish("chat/out", 1, 0, "x"));
        // a topic over the bound, and not UTF-8 or with U+0000
        violation(publish("t".repeat(MqttDecoder.MAX_TOPIC_BYTES + 1), 1, 1, "x"));
        violation(new byte[] {0x32, 6, 0, 2, (byte) 0xC3, 0x28, 0, 1});
        violation(new byte[] {0x32, 6, 0, 2, (byte) 0xED, (byte) 0xA0, 0, 1});
        violation(new byte[] {0x32, 6, 0, 2, 'a', 0, 0, 1});
        // CONNECT: another protocol name, the reserved flag, a password without a user, bytes after its fields
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        string(other, "HTTP");
        other.write(4);
        violation(packet(0x10, other.toByteArray()));
        violation(connect("c", null, null, 0x03, 10));
        violation(connect("c", "u", "p", 0x42, 10));
        byte[] trailing = connect("c", "u", null, 0x82, 10);
        byte[] longer = java.util.Arrays.copyOf(trailing, trailing.length + 1);
        longer[1]++;
        violation(longer);
        // PINGREQ with a body, PUBACK without its id, SUBSCRIBE without a filter or with QoS 3
        violation(new byte[] {(byte) 0xC0, 1, 0});
        violation(new byte[] {0x40, 1, 0});
        violation(new byte[] {(byte) 0x82, 2, 0, 1});
        violation(new byte[] {(byte) 0x82, 6, 0, 1, 0, 1, 'a', 3});
        violation(new byte[] {(byte) 0x82, 7, 0, 1, 0, 2, 'a', '#', 1, 0});
    }

    @Test
    void encodedPacketsAreWhatClientsExpect() {
        assertThat(bytes(MqttEncoder.connAck(true, 0))).containsExactly(0x20, 2, 1, 0);
        assertThat(bytes(MqttEncoder.subAck(9, List.of(1, 0x80)))).containsExactly(0x90, 4, 0, 9, 1, 0x80);
        assertThat(bytes(MqttEncoder.pubAck(258))).containsExactly(0x40, 2, 1, 2);
        assertThat(bytes(MqttEncoder.pingResp())).containsExactly(0xD0, 0);
        byte[] payload = "y".repeat(200).getBytes(StandardCharsets.UTF_8);
        ByteBuffer publish = MqttEncoder.publish("chat/in/bob", 300, true, payload);
        assertThat(publish.get(0) & 0xFF).isEqualTo(0x3A);
        assertThat(publish.remaining()).isEqualTo(1 + 2 + 2 + 11 + 2 + 200);
        // a client's decoder would read it back: our own, with the server-only type check aside
        byte[] asClient = new byte[publish.remaining()];
        publish.get(asClient);
        asClient[0] = 0x3A;
        MqttPacket.Publish read = (MqttPacket.Publish) decode(asClient).get(0);
        assertThat(read.topic()).isEqualTo("chat/in/bob");
        assertThat(read.dup()).isTrue();
        assertThat(read.packetId()).isEqualTo(300);
        assertThat(read.payload()).isEqualTo(payload);
    }

    static int[] bytes(ByteBuffer buffer) {
        int[] values = new int[buffer.remaining()];
        for (int i = 0; i < values.length; i++) {
            values[i] = buffer.get(buffer.position() + i) & 0xFF;
        }
        return values;
    }
}
