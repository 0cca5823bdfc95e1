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

/**
 * One user's connection in a fault run. It records every frame in the {@link DeliveryLedger},
 * acks each message as it arrives, or, with {@code dropBeforeAck} chance, drops the TCP
 * connection instead (a client that dies between delivery and ack). {@link #silent} clients
 * read nothing at all.
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

    @Override
    public void onOpen(WebSocket webSocket) {
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
            case "message" -> {
                ledger.delivered(userId, frame);
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
            case "error" -> ledger.refused(frame.getString("client_msg_id", null), frame.getString("code"));
            default -> ledger.refused(null, "unexpected frame " + frame);
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        greeted.completeExceptionally(new IllegalStateException(userId + " closed with " + statusCode + " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
        greeted.completeExceptionally(error);
    }

    /** Sends a chat message to {@code target}, registered in the ledger. */
    void sendMessage(String target) {
        String key = ledger.newMessage(userId, target);
        String frame = Json.createObjectBuilder().add("target_id", target).add("message", DeliveryLedger.text(key))
                .add("sender_id", userId).add("client_msg_id", key).build().toString();
        send(frame).exceptionally(failure -> {
            ledger.sendFailed(key);
            return null;
        });
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
        socket.abort();
    }

    /** Waits until the server (or the network) ended the connection; returns the close code. */
    int awaitClosed(Duration atMost) {
        return closed.orTimeout(atMost.toSeconds(), TimeUnit.SECONDS).join();
    }
}
