package com.estatechat.mqtt.boundary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A chat user on {@code /mqtt} through Eclipse Paho 1.2.5 over {@code ws://}: every PUBLISH that
 * arrives is kept with its JSON frame, in order; {@link #next(String)} waits for one of a type.
 */
public final class MqttChatClient implements MqttCallback, AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(15);

    /** A PUBLISH that arrived: its frame, and Paho's message (id, DUP flag) for a manual ack. */
    public record Arrived(JsonObject frame, MqttMessage message) {
        String type() {
            return frame.getString("type");
        }
    }

    final String userId;
    final MqttClient client;
    private final BlockingQueue<Arrived> arrived = new LinkedBlockingQueue<>();
    private volatile Throwable lost;

    private MqttChatClient(String userId, MqttClient client) {
        this.userId = userId;
        this.client = client;
    }

    static URI uri(URI base) {
        String root = base.toString().replaceFirst("^http", "ws");
        return URI.create((root.endsWith("/") ? root : root + "/") + "mqtt");
    }

    static MqttConnectOptions options(String userId, String password, boolean cleanSession) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setUserName(userId);
        if (password != null) {
            options.setPassword(password.toCharArray());
        }
        options.setCleanSession(cleanSession);
        options.setKeepAliveInterval(30);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout((int) WAIT.toSeconds());
        return options;
    }

    /** Connects with a session kept by the server (clean session 0), acks itself, and subscribes to its topic. */
    public static MqttChatClient connect(URI base, String userId, String password) throws MqttException {
        MqttChatClient chat = open(base, userId, password, false, false);
        chat.subscribeOwnTopic();
        return chat;
    }

    /** Connects without subscribing; with {@code manualAcks} nothing is acknowledged until {@link #ack}. */
    static MqttChatClient open(URI base, String userId, String password, boolean cleanSession, boolean manualAcks)
            throws MqttException {
        MqttClient client = new MqttClient(uri(base).toString(), "it-" + UUID.randomUUID().toString().substring(0, 8),
                new MemoryPersistence());
        MqttChatClient chat = new MqttChatClient(userId, client);
        client.setCallback(chat);
        client.setManualAcks(manualAcks);
        client.setTimeToWait(WAIT.toMillis());
        client.connect(options(userId, password, cleanSession));
        return chat;
    }

    String topic() {
        return "chat/in/" + userId;
    }

    void subscribeOwnTopic() throws MqttException {
        int[] granted = client.subscribeWithResponse(new String[] {topic()}, new int[] {1}).getGrantedQos();
        assertThat(granted).containsExactly(1);
    }

    /** Publishes a frame at QoS 1 to chat/out; returns once the server's PUBACK came. */
    void publish(JsonObject frame) throws MqttException {
        MqttMessage message = new MqttMessage(frame.toString().getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        client.publish("chat/out", message);
    }

    void sendMessage(String target, String text, String clientMsgId) throws MqttException {
        var frame = Json.createObjectBuilder().add("target_id", target).add("message", text);
        if (clientMsgId != null) {
            frame.add("client_msg_id", clientMsgId);
        }
        publish(frame.build());
    }

    /** The PUBACK of a message that arrived with manual acks. */
    void ack(Arrived message) throws MqttException {
        client.messageArrivedComplete(message.message().getId(), message.message().getQos());
    }

    /** The next PUBLISH of this type that comes within {@code wait}, if one does (the others are dropped). */
    public Optional<Arrived> nextWithin(Duration wait, String type) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            for (long left = wait.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                Arrived next = arrived.poll(left, TimeUnit.NANOSECONDS);
                if (next != null && next.type().equals(type)) {
                    return Optional.of(next);
                }
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Arrived next(String type) {
        return next(arrived -> arrived.type().equals(type), type);
    }

    Arrived next(Predicate<Arrived> wanted, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Arrived next = left <= 0 ? null : arrived.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    return fail("no " + what + " for " + userId + " within " + WAIT + (lost == null ? ""
                            : "; the connection was lost: " + lost));
                }
                if (wanted.test(next)) {
                    return next;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    boolean isConnected() {
        return client.isConnected();
    }

    Throwable lost() {
        return lost;
    }

    @Override
    public void connectionLost(Throwable cause) {
        lost = cause;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        assertThat(topic).isEqualTo(topic());
        JsonObject frame = Json.createReader(new StringReader(new String(message.getPayload(), StandardCharsets.UTF_8)))
                .readObject();
        arrived.add(new Arrived(frame, message));
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // publish() waits for the PUBACK itself
    }

    /** Drops the connection without DISCONNECT, as a phone that lost its network does. */
    void drop() throws MqttException {
        client.disconnectForcibly(0, 1000, false);
        client.close(true);
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(1000);
        }
        client.close(true);
    }
}
