package com.estatechat.mqtt.control;

import com.estatechat.mqtt.entity.MqttPacket;
import com.estatechat.mqtt.entity.MqttViolation;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the MQTT 3.1.1 packets of one connection from its WebSocket's binary frames, which may cut
 * a packet anywhere or hold several. Strict and bounded: a packet is at most {@code maxPacketBytes}
 * (header included; said by its header, before its body is buffered), the remaining length at
 * most four bytes in its shortest form, strings well-formed UTF-8 without U+0000, topics and client
 * ids at most {@value #MAX_TOPIC_BYTES} bytes, every flag and length as the specification fixes it.
 * Anything else is an {@link MqttViolation}, never another exception. One per connection, used by
 * one thread at a time (the container's, for that connection).
 */
public final class MqttDecoder {

    /** Topics, topic filters and client ids; {@code chat/in/} and a user id take 72. */
    public static final int MAX_TOPIC_BYTES = 256;
    static final int CONNECT = 1;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int PUBREC = 5;
    static final int PUBREL = 6;
    static final int PUBCOMP = 7;
    static final int SUBSCRIBE = 8;
    static final int UNSUBSCRIBE = 10;
    static final int PINGREQ = 12;
    static final int DISCONNECT = 14;

    private final int maxPacketBytes;
    private byte[] buffer = new byte[64];
    private int length;

    public MqttDecoder(int maxPacketBytes) {
        this.maxPacketBytes = maxPacketBytes;
    }

    /** Whether bytes of an unfinished packet wait for the rest. */
    public boolean hasPartialPacket() {
        return length > 0;
    }

    /**
     * Takes the next bytes of the stream.
     *
     * @return the packets they complete, in order (none when a packet is still cut)
     * @throws MqttViolation at the first byte that cannot belong to an acceptable packet
     */
    public List<MqttPacket> feed(ByteBuffer data) {
        List<MqttPacket> packets = new ArrayList<>();
        while (data.hasRemaining()) {
            int room = Math.max(0, maxPacketBytes - length);
            if (room == 0) {
                // a packet's size is checked from its header, so a full buffer holds a complete one
                throw new IllegalStateException("decoder buffer full without a complete packet");
            }
            int take = Math.min(room, data.remaining());
            ensureCapacity(length + take);
            data.get(buffer, length, take);
            length += take;
            int consumed = 0;
            while (true) {
                int size = packetSize(consumed);
                if (size < 0) {
                    break;
                }
                packets.add(decode(buffer, consumed, size));
                consumed += size;
            }
            if (consumed > 0) {
                System.arraycopy(buffer, consumed, buffer, 0, length - consumed);
                length -= consumed;
            }
        }
        return packets;
    }

    private void ensureCapacity(int needed) {
        if (needed > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.min(Math.max(needed, buffer.length * 2), maxPacketBytes));
        }
    }

    /** The size of the packet at {@code start} when it is complete in the buffer, else -1. */
    private int packetSize(int start) {
        int available = length - start;
        if (available < 1) {
            return -1;
        }
        int first = buffer[start] & 0xFF;
        checkFixedHeader(first >> 4, first & 0x0F);
        int remaining = 0;
        int multiplier = 1;
        int index = 1;
        while (true) {
            if (index > 4) {
                throw new MqttViolation("remaining length longer than four bytes");
            }
            if (index >= available) {
                return -1;
            }
            int digit = buffer[start + index] & 0xFF;
            remaining += (digit & 0x7F) * multiplier;
            index++;
            if ((digit & 0x80) == 0) {
                if (digit == 0 && index > 2) {
                    throw new MqttViolation("remaining length not in its shortest form");
                }
                break;
            }
            multiplier *= 128;
        }
        long size = (long) index + remaining;
        if (size > maxPacketBytes) {
            throw MqttViolation.tooLarge("a packet of " + size + " bytes, over the limit of " + maxPacketBytes);
        }
        return available >= size ? (int) size : -1;
    }

    private static void checkFixedHeader(int type, int flags) {
        switch (type) {
            case CONNECT, PUBACK, PUBREC, PUBCOMP, PINGREQ, DISCONNECT -> {
                if (flags != 0) {
                    throw new MqttViolation("packet type " + type + " with flags " + flags);
                }
            }
            case PUBREL, SUBSCRIBE, UNSUBSCRIBE -> {
                if (flags != 0b0010) {
                    throw new MqttViolation("packet type " + type + " with flags " + flags);
                }
            }
            case PUBLISH -> {
                if ((flags & 0b0110) == 0b0110) {
                    throw new MqttViolation("PUBLISH with QoS 3");
                }
            }
            default -> throw new MqttViolation("packet type " + type + " is not one a client sends");
        }
    }

    private static MqttPacket decode(byte[] bytes, int start, int size) {
        int first = bytes[start] & 0xFF;
        int headerLength = 2;
        while ((bytes[start + headerLength - 1] & 0x80) != 0) {
            headerLength++;
        }
        Body body = new Body(bytes, start + headerLength, start + size);
        int type = first >> 4;
        MqttPacket packet = switch (type) {
            case CONNECT -> connect(body);
            case PUBLISH -> publish(body, first & 0x0F);
            case PUBACK -> new MqttPacket.PubAck(body.packetId());
            case PUBREC, PUBREL, PUBCOMP -> new MqttPacket.QosTwoStep(type, body.packetId());
            case SUBSCRIBE -> subscribe(body);
            case UNSUBSCRIBE -> unsubscribe(body);
            case PINGREQ -> new MqttPacket.PingReq();
            case DISCONNECT -> new MqttPacket.Disconnect();
            default -> throw new MqttViolation("packet type " + type + " is not one a client sends");
        };
        body.expectEnd(type);
        return packet;
    }

    private static MqttPacket connect(Body body) {
        String protocol = body.utf8();
        int level = body.uint8();
        if (!protocol.equals("MQTT") && !protocol.equals("MQIsdp")) {
            throw new MqttViolation("CONNECT for protocol " + quoted(protocol));
        }
        if (!protocol.equals("MQTT") || level != 4) {
            // answered with CONNACK 0x01; what follows may be laid out otherwise
            body.skipRest();
            return new MqttPacket.Connect(level, null, true, 0, false, null, null);
        }
        int flags = body.uint8();
        if ((flags & 0x01) != 0) {
            throw new MqttViolation("CONNECT with the reserved flag set");
        }
        boolean cleanSession = (flags & 0x02) != 0;
        boolean will = (flags & 0x04) != 0;
        int willQos = (flags >> 3) & 0x03;
        boolean willRetain = (flags & 0x20) != 0;
        boolean hasPassword = (flags & 0x40) != 0;
        boolean hasUsername = (flags & 0x80) != 0;
        if (willQos == 3 || (!will && (willQos != 0 || willRetain))) {
            throw new MqttViolation("CONNECT with bad will flags");
        }
        if (hasPassword && !hasUsername) {
            throw new MqttViolation("CONNECT with a password and no user name");
        }
        int keepAlive = body.uint16();
        String clientId = body.utf8();
        if (clientId.getBytes(StandardCharsets.UTF_8).length > MAX_TOPIC_BYTES) {
            throw new MqttViolation("a client id over " + MAX_TOPIC_BYTES + " bytes");
        }
        if (will) {
            topic(body.utf8(), false);
            body.binary();
        }
        String username = hasUsername ? body.utf8() : null;
        String password = hasPassword ? Body.strictUtf8(body.binary(), "password") : null;
        return new MqttPacket.Connect(level, clientId, cleanSession, keepAlive, will, username, password);
    }

    private static MqttPacket publish(Body body, int flags) {
        boolean retain = (flags & 0x01) != 0;
        int qos = (flags >> 1) & 0x03;
        boolean dup = (flags & 0x08) != 0;
        if (qos == 0 && dup) {
            throw new MqttViolation("PUBLISH QoS 0 with DUP");
        }
        String topic = topic(body.utf8(), false);
        int packetId = qos > 0 ? body.packetId() : 0;
        return new MqttPacket.Publish(topic, qos, dup, retain, packetId, body.rest());
    }

    private static MqttPacket subscribe(Body body) {
        int packetId = body.packetId();
        List<MqttPacket.Subscription> subscriptions = new ArrayList<>();
        do {
            String filter = topic(body.utf8(), true);
            int qos = body.uint8();
            if (qos > 2) {
                throw new MqttViolation("SUBSCRIBE with requested QoS byte " + qos);
            }
            subscriptions.add(new MqttPacket.Subscription(filter, qos));
        } while (body.hasMore());
        return new MqttPacket.Subscribe(packetId, List.copyOf(subscriptions));
    }

    private static MqttPacket unsubscribe(Body body) {
        int packetId = body.packetId();
        List<String> filters = new ArrayList<>();
        do {
            filters.add(topic(body.utf8(), true));
        } while (body.hasMore());
        return new MqttPacket.Unsubscribe(packetId, List.copyOf(filters));
    }

    /** A topic name (no wildcards) or filter (wildcards where the specification allows them). */
    private static String topic(String topic, boolean filter) {
        if (topic.isEmpty()) {
            throw new MqttViolation("an empty topic");
        }
        if (topic.getBytes(StandardCharsets.UTF_8).length > MAX_TOPIC_BYTES) {
            throw new MqttViolation("a topic over " + MAX_TOPIC_BYTES + " bytes");
        }
        if (!filter && (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0)) {
            throw new MqttViolation("a wildcard in the topic name " + quoted(topic));
        }
        if (filter) {
            String[] levels = topic.split("/", -1);
            for (int i = 0; i < levels.length; i++) {
                String level = levels[i];
                boolean badMulti = level.contains("#") && (!level.equals("#") || i != levels.length - 1);
                boolean badSingle = level.contains("+") && !level.equals("+");
                if (badMulti || badSingle) {
                    throw new MqttViolation("a misplaced wildcard in the topic filter " + quoted(topic));
                }
            }
        }
        return topic;
    }

    private static String quoted(String text) {
        return "\"" + (text.length() > 80 ? text.substring(0, 80) + "…" : text) + "\"";
    }

    /** A cursor over one packet's variable header and payload. */
    private static final class Body {
        private final byte[] bytes;
        private int position;
        private final int end;

        Body(byte[] bytes, int position, int end) {
            this.bytes = bytes;
            this.position = position;
            this.end = end;
        }

        boolean hasMore() {
            return position < end;
        }

        private void need(int count) {
            if (end - position < count) {
                throw new MqttViolation("a packet shorter than its fields");
            }
        }

        int uint8() {
            need(1);
            return bytes[position++] & 0xFF;
        }

        int uint16() {
            need(2);
            int value = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
            position += 2;
            return value;
        }

        int packetId() {
            int id = uint16();
            if (id == 0) {
                throw new MqttViolation("packet id 0");
            }
            return id;
        }

        byte[] binary() {
            int size = uint16();
            need(size);
            byte[] value = Arrays.copyOfRange(bytes, position, position + size);
            position += size;
            return value;
        }

        String utf8() {
            return strictUtf8(binary(), "string");
        }

        static String strictUtf8(byte[] value, String what) {
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
            } catch (CharacterCodingException e) {
                throw new MqttViolation("a " + what + " that is not well-formed UTF-8");
            }
            if (text.indexOf('\u0000') >= 0) {
                throw new MqttViolation("a " + what + " with U+0000");
            }
            return text;
        }

        byte[] rest() {
            byte[] value = Arrays.copyOfRange(bytes, position, end);
            position = end;
            return value;
        }

        void skipRest() {
            position = end;
        }

        void expectEnd(int type) {
            if (position != end) {
                throw new MqttViolation("packet type " + type + " with " + (end - position) + " bytes after its fields");
            }
        }
    }
}
