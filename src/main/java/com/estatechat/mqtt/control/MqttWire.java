package com.estatechat.mqtt.control;

import com.estatechat.chat.control.Wire;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An MQTT connection's side of its {@link com.estatechat.chat.control.ChatConnection}: each JSON
 * frame the server sends becomes a PUBLISH at QoS 1 on {@code chat/in/<user id>}, with DUP set when
 * the frame is a redelivered message; the client's PUBACK of it is its acknowledgement. The
 * protocol's own packets (CONNACK, SUBACK, PUBACK, PINGRESP…) come through the same connection, in
 * order with the frames, as {@linkplain #control control frames}. This wire is the WebSocket's one
 * writer: one packet at a time, each send's result checked. Until the client subscribes (with a
 * clean session) its PUBLISH packets are held here, at most {@code heldLimit} of them (more are
 * reported unwritten: a message stays unacked in the inbox, a receipt waits for the next
 * connection), so that CONNACK, SUBACK and PINGRESP still go out. Its lock guards its queues only;
 * nothing is sent or told while it is held.
 */
public final class MqttWire implements Wire {

    /** The topic a user's frames arrive on: {@code chat/in/<user id>}. */
    public static final String INBOX_TOPIC_PREFIX = "chat/in/";
    /** A frame that starts with U+0000 (no JSON does) is a raw MQTT packet, each char one byte. */
    private static final char CONTROL = '\u0000';
    private static final JsonReaderFactory JSON = Json.createReaderFactory(Map.of());
    private static final SendResult WRITTEN = new SendResult();

    /** A PUBLISH the client has not acknowledged yet. */
    private record InFlight(String messageId, Consumer<Boolean> acknowledged) {
    }

    /** A packet to write, and the connection's handler for it (null for a held PUBLISH, already reported). */
    private record Packet(ByteBuffer bytes, SendHandler handler) {
    }

    private final Session session;
    private final String topic;
    private final int keepAliveSeconds;
    private final int heldLimit;
    private final ConcurrentMap<Integer, InFlight> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger lastPacketId = new AtomicInteger();
    private volatile boolean closed;
    // guarded by this
    private boolean subscribed;
    private boolean writing;
    private final Deque<Packet> queue = new ArrayDeque<>();
    private final Deque<Packet> held = new ArrayDeque<>();

    /**
     * @param subscribed whether the client counts as subscribed from the start (clean session 0: the
     *        subscription is the user's durable inbox)
     * @param heldLimit the most PUBLISH packets held until the client subscribes
     */
    public MqttWire(Session session, String userId, int keepAliveSeconds, boolean subscribed, int heldLimit) {
        this.session = session;
        this.topic = INBOX_TOPIC_PREFIX + userId;
        this.keepAliveSeconds = keepAliveSeconds;
        this.subscribed = subscribed;
        this.heldLimit = heldLimit;
    }

    /** The frame that carries {@code packet} through the connection's queue to this wire. */
    public static String control(ByteBuffer packet) {
        StringBuilder frame = new StringBuilder(packet.remaining() + 1).append(CONTROL);
        while (packet.hasRemaining()) {
            frame.append((char) (packet.get() & 0xFF));
        }
        return frame.toString();
    }

    public String topic() {
        return topic;
    }

    @Override
    public void write(String frame, Consumer<Boolean> acknowledged, SendHandler handler) {
        if (!frame.isEmpty() && frame.charAt(0) == CONTROL) {
            enqueue(new Packet(ByteBuffer.wrap(frame.substring(1).getBytes(StandardCharsets.ISO_8859_1)), handler));
            return;
        }
        JsonObject head = JSON.createReader(new StringReader(frame)).readObject();
        boolean message = "message".equals(string(head, "type")) && !head.getBoolean("synced", false);
        int packetId = nextPacketId();
        inFlight.put(packetId, new InFlight(message ? string(head, "message_id") : null, acknowledged));
        if (closed) {
            told(inFlight.remove(packetId), false);
        }
        ByteBuffer packet = MqttEncoder.publish(topic, packetId, message && head.getBoolean("redelivered", false),
                frame.getBytes(StandardCharsets.UTF_8));
        boolean isHeld = false;
        boolean overflow = false;
        synchronized (this) {
            if (!subscribed) {
                if (held.size() >= heldLimit) {
                    overflow = true;
                } else {
                    held.add(new Packet(packet, null));
                    isHeld = true;
                }
            }
        }
        if (overflow) {
            told(inFlight.remove(packetId), false);
            handler.onResult(new SendResult(new Wire.NotWritten(heldLimit + " PUBLISH packets wait for a SUBSCRIBE")));
        } else if (isHeld) {
            handler.onResult(WRITTEN);
        } else {
            enqueue(new Packet(packet, handler));
        }
    }

    private void enqueue(Packet packet) {
        boolean refused = false;
        synchronized (this) {
            if (closed) {
                refused = true;
            } else {
                queue.add(packet);
                if (writing) {
                    return;
                }
                writing = true;
            }
        }
        if (refused) {
            report(packet, new SendResult(new IOException("connection closed")));
            return;
        }
        writeQueued();
    }

    /** Sends the queue's packets one at a time; a send that completes inline lets the loop go on. */
    private void writeQueued() {
        while (true) {
            Packet next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    writing = false;
                    return;
                }
            }
            // 0: in flight, 1: completed inside sendBinary (this loop goes on), 2: completes later
            AtomicInteger state = new AtomicInteger();
            Packet packet = next;
            try {
                session.getAsyncRemote().sendBinary(packet.bytes(), result -> {
                    report(packet, result);
                    if (!state.compareAndSet(0, 1)) {
                        writeQueued();
                    }
                });
            } catch (RuntimeException e) {
                report(packet, new SendResult(e));
                continue;
            }
            if (state.compareAndSet(0, 2)) {
                return;
            }
        }
    }

    private static void report(Packet packet, SendResult result) {
        if (packet.handler() != null) {
            packet.handler().onResult(result);
        }
    }

    private static String string(JsonObject object, String name) {
        JsonValue value = object.get(name);
        return value != null && value.getValueType() == JsonValue.ValueType.STRING ? object.getString(name) : null;
    }

    /** A packet id no PUBLISH in flight holds; 65,535 unacknowledged PUBLISH are a client that never acks. */
    private int nextPacketId() {
        for (int tries = 0; tries < 65_535; tries++) {
            int id = lastPacketId.updateAndGet(last -> last >= 65_535 ? 1 : last + 1);
            if (!inFlight.containsKey(id)) {
                return id;
            }
        }
        throw new IllegalStateException("65,535 PUBLISH packets wait for their PUBACK");
    }

    /** The client subscribed to its topic: what was held goes out first (before the SUBACK, as MQTT allows). */
    public void subscribe() {
        synchronized (this) {
            subscribed = true;
            if (held.isEmpty()) {
                return;
            }
            while (!held.isEmpty()) {
                queue.addFirst(held.removeLast());
            }
            if (writing || closed) {
                return;
            }
            writing = true;
        }
        writeQueued();
    }

    /** The client unsubscribed: what follows is held until it subscribes again (the inbox keeps messages). */
    public synchronized void unsubscribe() {
        subscribed = false;
    }

    /**
     * The client's PUBACK: tells whoever waited for it.
     *
     * @return the id of the message that PUBLISH carried, to settle; null for any other frame, or a
     *         packet id that is not in flight
     */
    public String acknowledge(int packetId) {
        InFlight acked = inFlight.remove(packetId);
        if (acked == null) {
            return null;
        }
        told(acked, true);
        return acked.messageId();
    }

    private static void told(InFlight entry, boolean acknowledged) {
        if (entry != null && entry.acknowledged() != null) {
            entry.acknowledged().accept(acknowledged);
        }
    }

    @Override
    public boolean acknowledges() {
        return true;
    }

    /** With a keep-alive the client's PINGREQ shows it is there; without one, WebSocket pings do as on /ws. */
    @Override
    public boolean pings() {
        return keepAliveSeconds == 0;
    }

    /** One and a half keep-alives, as MQTT 3.1.1 says; the heartbeat's timeout without one. */
    @Override
    public Duration silenceLimit(Duration heartbeatTimeout) {
        return keepAliveSeconds == 0 ? heartbeatTimeout : Duration.ofMillis(keepAliveSeconds * 1500L);
    }

    @Override
    public void closed() {
        synchronized (this) {
            closed = true;
            queue.clear(); // the connection reports its own frames unwritten
            held.clear();
        }
        for (Integer packetId : inFlight.keySet()) {
            told(inFlight.remove(packetId), false);
        }
    }
}
