package com.estatechat.mqtt.control;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * MQTT 3.1.1 packets laid out byte by byte as a client writes them, for the tests that feed the
 * decoder or the server raw bytes (no client library would send a refused QoS or a malformed packet).
 */
public final class MqttPackets {

    private MqttPackets() {
    }

    /** A CONNECT at protocol level 4 as Paho 1.2.5 lays it out, with these flags, keep-alive, user and password. */
    public static byte[] connect(String clientId, String user, String password, int flags, int keepAlive) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, "MQTT");
        body.write(4);
        body.write(flags);
        body.write(keepAlive >> 8);
        body.write(keepAlive);
        string(body, clientId);
        if (user != null) {
            string(body, user);
        }
        if (password != null) {
            string(body, password);
        }
        return packet(0x10, body.toByteArray());
    }

    public static void string(ByteArrayOutputStream out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length);
        out.writeBytes(bytes);
    }

    public static byte[] packet(int first, byte[] body) {
        ByteBuffer header = ByteBuffer.allocate(5);
        header.put((byte) first);
        int value = body.length;
        do {
            int digit = value % 128;
            value /= 128;
            header.put((byte) (value > 0 ? digit | 0x80 : digit));
        } while (value > 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header.array(), 0, header.position());
        out.writeBytes(body);
        return out.toByteArray();
    }

    public static byte[] publish(String topic, int qos, int packetId, String payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, topic);
        if (qos > 0) {
            body.write(packetId >> 8);
            body.write(packetId);
        }
        body.writeBytes(payload.getBytes(StandardCharsets.UTF_8));
        return packet(0x30 | (qos << 1), body.toByteArray());
    }
}
