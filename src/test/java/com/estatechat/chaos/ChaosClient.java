package com.estatechat.chaos;

import com.estatechat.support.ChatClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One user's connection in a fault run. It records every frame in the {@link DeliveryLedger},
 * acks each message as it arrives, or, with {@code dropBeforeAck} chance, drops the TCP
 * connection instead (a client that dies between delivery and ack). {@link #silent} clients
 * read nothing at all. An MQTT client ({@link #connectMqtt}, Eclipse Paho over {@code /mqtt}) does
 * the same with MQTT's means: its PUBACK is the ack, its messages go to {@code chat/out}.
 */
final class ChaosClient implements WebSocket.Listener {

    static final Duration CONNECT_WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String userId;
    private final DeliveryLedger ledger;
    private final double dropBeforeAck;
    private final boolean silent;
    private final CompletableFuture<Void> greeted = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
    private volatile WebSocket socket;
    private volatile MqttAsyncClient mqtt;
    /** The server said {@code going_away}: a well-behaved client sends no more messages on this connection. */
    private volatile boolean goingAway;
    private volatile String closeReason = "";

    private ChaosClient(String userId, DeliveryLedger ledger, double dropBeforeAck, boolean silent) {
        this.userId = userId;
        this.ledger = ledger;
        this.dropBeforeAck = dropBeforeAck;
        this.silent = silent;
    }

    /** Connects and waits for {@code connected}. */
    static ChaosClient connect(URI base, String userId, DeliveryLedger ledger, double dropBeforeAck) {
        ChaosClient client = new ChaosClient(userId, ledger, dropBeforeAck, false);
        client.open(base);
        client.greeted.orTimeout(CONNECT_WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return client;
    }

    /** Connects a client that reads no frame after the handshake. */
    static ChaosClient connectSilent(URI base, String userId, DeliveryLedger ledger) {
        ChaosClient client = new ChaosClient(userId, ledger, 0, true);
        client.open(base);
        return client;
    }

    /**
     * Connects over MQTT with a kept session (clean session 0: deliveries start at CONNECT) and
     * waits for {@code connected}; Paho acknowledges each message once it is recorded.
     */
    static ChaosClient connectMqtt(URI base, String userId, DeliveryLedger ledger) {
        ChaosClient client = new ChaosClient(userId, ledger, 0, false);
        String root = base.toString().replaceFirst("^http", "ws");
        try {
            MqttAsyncClient mqtt = new MqttAsyncClient((root.endsWith("/") ? root : root + "/") + "mqtt",
                    userId + "-" + ThreadLocalRandom.current().nextInt(1_000_000), new MemoryPersistence());
            client.mqtt = mqtt;
            mqtt.setCallback(client.new MqttFrames());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            options.setUserName(userId);
            options.setCleanSession(false);
            options.setKeepAliveInterval(30);
            options.setMaxInflight(10_000);
            options.setAutomaticReconnect(false);
            options.setConnectionTimeout((int) CONNECT_WAIT.toSeconds());
            mqtt.connect(options).waitForCompletion(CONNECT_WAIT.toMillis());
        } catch (MqttException e) {
            throw new IllegalStateException(userId + " could not connect over MQTT", e);
        }
        client.greeted.orTimeout(CONNECT_WAIT.toSeconds(), TimeUnit.SECONDS).join();
        return client;
    }

    /** Paho's callbacks: one JSON frame per PUBLISH; returning from messageArrived sends the PUBACK. */
    private final class MqttFrames implements MqttCallback {
        @Override
        public void connectionLost(Throwable cause) {
            closeReason = "mqtt: " + cause;
            closed.complete(1006);
            greeted.completeExceptionally(cause);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            handle(Json.createReader(new StringReader(new String(message.getPayload(),
                    java.nio.charset.StandardCharsets.UTF_8))).readObject());
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // the queued receipt or the error frame says what became of it
        }
    }

    private void open(URI base) {
        socket = HTTP.newWebSocketBuilder().connectTimeout(CONNECT_WAIT)
                .buildAsync(ChatClient.uri(base, userId, null), this)
                .orTimeout(CONNECT_WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    String userId() {
        return userId;
    }

    boolean isOpen() {
        return !closed.isDone();
    }

    /** Open, and the server has not said it is going away. */
    boolean maySend() {
        return isOpen() && !goingAway;
    }

    /** The close frame's reason, once closed by one. */
    String closeReason() {
        return closeReason;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        // here, not when buildAsync completes: the server's first frames (connected, then what the user
        // holds unacked) may be handled, and acked, before the thread that opened the socket goes on
        socket = webSocket;
        if (!silent) {
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            JsonObject frame = Json.createReader(new StringReader(partial.toString())).readObject();
            partial.setLength(0);
            handle(frame);
        }
        if (!silent && isOpen()) {
            webSocket.request(1);
        }
        return null;
    }

    private void handle(JsonObject frame) {
        switch (frame.getString("type", "")) {
            case "connected" -> greeted.complete(null);
            case "going_away" -> goingAway = true; // what crossed the notice is still answered
            case "message" -> {
                ledger.delivered(userId, frame);
                if (mqtt != null) {
                    return; // the PUBACK acks it
                }
                if (dropBeforeAck > 0 && ThreadLocalRandom.current().nextDouble() < dropBeforeAck) {
                    abort();
                } else {
                    send(Json.createObjectBuilder().add("type", "ack")
                            .add("message_id", frame.getString("message_id")).build().toString());
                }
            }
            case "receipt" -> {
                if ("queued".equals(frame.getString("status"))) {
                    ledger.accepted(frame.getString("client_msg_id", null), frame.getString("message_id"));
                } else {
                    ledger.deliveredReceipt(frame);
                }
            }
            case "error" -> {
                ledger.refused(frame.getString("client_msg_id", null), frame.getString("code"));
                if (mqtt == null && "unavailable".equals(frame.getString("code")) && frame.containsKey("message_id")
                        && !frame.containsKey("client_msg_id")) {
                    // "the ack was not recorded; send it again later", as the protocol asks of a client
                    String ack = Json.createObjectBuilder().add("type", "ack")
                            .add("message_id", frame.getString("message_id")).build().toString();
                    CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS).execute(() -> send(ack));
                }
            }
            default -> ledger.refused(null, "unexpected frame " + frame);
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeReason = reason;
        closed.complete(statusCode);
        greeted.completeExceptionally(new IllegalStateException(userId + " closed with " + statusCode + " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (!closed.isDone()) {
            closeReason = String.valueOf(error);
        }
        if (closed.complete(-1)) {
            System.out.println(userId + ": the connection failed without a close frame: " + error);
        }
        greeted.completeExceptionally(error);
    }

    /** Sends a chat message to {@code target}, registered in the ledger. */
    void sendMessage(String target) {
        String key = ledger.newMessage(userId, target);
        String frame = Json.createObjectBuilder().add("target_id", target).add("message", DeliveryLedger.text(key))
                .add("sender_id", userId).add("client_msg_id", key).build().toString();
        if (mqtt != null) {
            publish(key, frame);
            return;
        }
        send(frame).exceptionally(failure -> {
            ledger.sendFailed(key);
            return null;
        });
    }

    private void publish(String key, String frame) {
        try {
            mqtt.publish("chat/out", frame.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false, null,
                    new IMqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            // answered: queued or error comes on chat/in
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable failure) {
                            ledger.sendFailed(key);
                        }
                    });
        } catch (MqttException | RuntimeException e) {
            ledger.sendFailed(key);
        }
    }

    /** The JDK WebSocket takes one send at a time: each waits for the one before it. */
    private synchronized CompletableFuture<?> send(String text) {
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new IllegalStateException("closed"));
        }
        sending = sending.exceptionally(e -> null).thenCompose(x -> socket.sendText(text, true));
        return sending;
    }

    /** Closes politely and waits (briefly) for the server's close. */
    void close() {
        if (mqtt != null) {
            try {
                if (mqtt.isConnected()) {
                    mqtt.disconnect(1000).waitForCompletion(10_000);
                }
                mqtt.close(true);
            } catch (MqttException e) {
                // closing anyway
            }
            closed.complete(1000);
            return;
        }
        if (isOpen()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
            if (silent) {
                socket.request(Long.MAX_VALUE);
            }
            closed.completeOnTimeout(-1, 10, TimeUnit.SECONDS).join();
        }
        socket.abort();
    }

    /** Drops the TCP connection with no close handshake. */
    void abort() {
        closed.complete(1006);
        if (mqtt != null) {
            try {
                mqtt.disconnectForcibly(0, 1000, false);
            } catch (MqttException e) {
                // dropped either way
            }
            return;
        }
        socket.abort();
    }

    /** Waits until the server (or the network) ended the connection; returns the close code. */
    int awaitClosed(Duration atMost) {
        return closed.orTimeout(atMost.toSeconds(), TimeUnit.SECONDS).join();
    }
}
