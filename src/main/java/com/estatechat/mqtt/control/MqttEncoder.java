package com.estatechat.mqtt.control;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes the MQTT 3.1.1 packets the server sends. Each call returns a buffer ready to send. */
public final class MqttEncoder {

    /** CONNACK return codes. */
    public static final int ACCEPTED = 0x00;
    public static final int UNACCEPTABLE_PROTOCOL = 0x01;
    public static final int IDENTIFIER_REJECTED = 0x02;
    public static final int SERVER_UNAVAILABLE = 0x03;
    public static final int BAD_USERNAME_OR_PASSWORD = 0x04;
    public static final int NOT_AUTHORIZED = 0x05;
    /** A SUBACK entry that refuses its filter. */
    public static final int SUBSCRIPTION_REFUSED = 0x80;

    private MqttEncoder() {
    }

    public static ByteBuffer connAck(boolean sessionPresent, int returnCode) {
        return ByteBuffer.wrap(new byte[] {0x20, 2, (byte) (sessionPresent ? 1 : 0), (byte) returnCode});
    }

    public static ByteBuffer pubAck(int packetId) {
        return ByteBuffer.wrap(new byte[] {0x40, 2, (byte) (packetId >> 8), (byte) packetId});
    }

    public static ByteBuffer subAck(int packetId, List<Integer> returnCodes) {
        ByteBuffer packet = header(0x90, 2 + returnCodes.size());
        packet.putShort((short) packetId);
        returnCodes.forEach(code -> packet.put((byte) code.intValue()));
        return packet.flip();
    }

    public static ByteBuffer unsubAck(int packetId) {
        return ByteBuffer.wrap(new byte[] {(byte) 0xB0, 2, (byte) (packetId >> 8), (byte) packetId});
    }

    public static ByteBuffer pingResp() {
        return ByteBuffer.wrap(new byte[] {(byte) 0xD0, 0});
    }

    /** A PUBLISH at QoS 1, never retained. */
    public static ByteBuffer publish(String topic, int packetId, boolean dup, byte[] payload) {
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        ByteBuffer packet = header(0x32 | (dup ? 0x08 : 0), 2 + name.length + 2 + payload.length);
        packet.putShort((short) name.length).put(name).putShort((short) packetId).put(payload);
        return packet.flip();
    }

    private static ByteBuffer header(int first, int remaining) {
        if (remaining > 268_435_455) {
            throw new IllegalArgumentException("an MQTT packet holds at most 256 MB");
        }
        ByteBuffer packet = ByteBuffer.allocate(1 + lengthBytes(remaining) + remaining);
        packet.put((byte) first);
        int value = remaining;
        do {
            int digit = value % 128;
            value /= 128;
            packet.put((byte) (value > 0 ? digit | 0x80 : digit));
        } while (value > 0);
        return packet;
    }

    static int lengthBytes(int remaining) {
        return remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
    }
}
