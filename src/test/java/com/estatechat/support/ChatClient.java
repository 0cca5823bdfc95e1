package com.estatechat.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A chat client for tests on the JDK's WebSocket: every JSON frame the server sends lands in a
 * queue that the test reads with a timeout. {@link #goSilent()} stops reading, so that the client
 * neither sees frames nor answers pings, like a peer whose network died.
 */
public final class ChatClient implements WebSocket.Listener, AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(15);
    private static final java.util.concurrent.atomic.AtomicLong ANSWERS = new java.util.concurrent.atomic.AtomicLong();

    /** How the server ended the connection. */
    public record Closed(int code, String reason) {
    }

    private final String userId;
    private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final List<JsonObject> skipped = new ArrayList<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean silent;
    private WebSocket socket;

    private ChatClient(String userId) {
        this.userId = userId;
    }

    /** The WebSocket URI for a user on the app at {@code base} (http://host:port/context/). */
    public static URI uri(URI base, String userId, String role) {
        String query = "id=" + URLEncoder.encode(userId, StandardCharsets.UTF_8)
                + (role == null ? "" : "&role=" + URLEncoder.encode(role, StandardCharsets.UTF_8));
        String root = base.toString().replaceFirst("^http", "ws");
        return URI.create((root.endsWith("/") ? root : root + "/") + "ws?" + query);
    }

    public static ChatClient connect(URI base, String userId) {
        return connect(base, userId, null);
    }

    /** Connects and checks the {@code connected} frame. */
    public static ChatClient connect(URI base, String userId, String role) {
        ChatClient client = open(uri(base, userId, role), userId);
        JsonObject connected = client.next();
        assertThat(connected.getString("type")).isEqualTo("connected");
        assertThat(connected.getString("user_id")).isEqualTo(userId);
        return client;
    }

    /** Opens the socket without reading anything. */
    public static ChatClient open(URI uri, String userId) {
        return open(uri, userId, Map.of());
    }

    /** Opens the socket with extra handshake headers ({@code Authorization}, {@code Origin}). */
    public static ChatClient open(URI uri, String userId, Map<String, String> headers) {
        ChatClient client = new ChatClient(userId);
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(builder::header);
        client.socket = builder
                .buildAsync(uri, client)
                .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
                .join();
        return client;
    }

    /** Opens the socket offering these subprotocols ({@code Sec-WebSocket-Protocol}), most preferred first. */
    public static ChatClient open(URI uri, String userId, Map<String, String> headers, List<String> subprotocols) {
        ChatClient client = new ChatClient(userId);
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(builder::header);
        builder.subprotocols(subprotocols.get(0), subprotocols.subList(1, subprotocols.size()).toArray(String[]::new));
        client.socket = builder
                .buildAsync(uri, client)
                .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
                .join();
        return client;
    }

    /** The subprotocol the server selected; empty for none. */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    /** Opens with headers and checks the {@code connected} frame names the expected user and role. */
    public static ChatClient connect(URI uri, String userId, String role, Map<String, String> headers) {
        ChatClient client = open(uri, userId, headers);
        JsonObject connected = client.next();
        assertThat(connected.getString("type")).isEqualTo("connected");
        assertThat(connected.getString("user_id")).isEqualTo(userId);
        assertThat(connected.getString("role")).isEqualTo(role);
        return client;
    }

    /**
     * The HTTP status of a handshake the server refuses; fails the test when it is accepted.
     */
    public static int refusedStatus(URI uri, Map<String, String> headers) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(builder::header);
        try {
            WebSocket accepted = builder.buildAsync(uri, new WebSocket.Listener() {
            }).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
            accepted.abort();
            return fail("the handshake to " + uri + " was accepted");
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.net.http.WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw e;
        }
    }

    public String userId() {
        return userId;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            frames.add(Json.createReader(new StringReader(partial.toString())).readObject());
            partial.setLength(0);
        }
        if (!silent) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, java.nio.ByteBuffer message) {
        if (!silent) {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Closed(-1, String.valueOf(error)));
    }

    /** The next frame, in order; fails the test if none comes in time. */
    public JsonObject next() {
        if (!skipped.isEmpty()) {
            return skipped.remove(0);
        }
        try {
            JsonObject frame = frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                fail(userId + " got no frame within " + WAIT);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next frame that matches, keeping the others for later {@link #next()} calls. */
    public JsonObject next(Predicate<JsonObject> wanted) {
        for (Iterator<JsonObject> it = skipped.iterator(); it.hasNext();) {
            JsonObject frame = it.next();
            if (wanted.test(frame)) {
                it.remove();
                return frame;
            }
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                JsonObject frame = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
                if (frame == null) {
                    fail(userId + " got no matching frame within " + WAIT + "; other frames: " + skipped);
                }
                if (wanted.test(frame)) {
                    return frame;
                }
                skipped.add(frame);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public JsonObject next(String type) {
        return next(frame -> type.equals(frame.getString("type", null)));
    }

    /** Asserts that no frame arrives for the given time (used sparingly: it always waits that long). */
    public void expectNothingFor(Duration quiet) {
        assertThat(skipped).as("frames %s holds", userId).isEmpty();
        try {
            assertThat(frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)).as("frame for %s", userId).isNull();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next frame {@code wanted} that comes within {@code wait}, if one does (the others are dropped). */
    public Optional<JsonObject> nextWithin(Duration wait, Predicate<JsonObject> wanted) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            for (long left = wait.toNanos(); left > 0; left = deadline - System.nanoTime()) {
                JsonObject frame = frames.poll(left, TimeUnit.NANOSECONDS);
                if (frame != null && wanted.test(frame)) {
                    return Optional.of(frame);
                }
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The next frame {@code wanted} while the connection lasts; empty once the server closed it and
     * every frame that came before the close was read. Fails the test if nothing comes in time.
     */
    public Optional<JsonObject> nextUntilClosed(Predicate<JsonObject> wanted) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                JsonObject frame = frames.poll(100, TimeUnit.MILLISECONDS);
                if (frame == null && closed.isDone() && frames.isEmpty()) {
                    return Optional.empty();
                }
                if (frame != null && wanted.test(frame)) {
                    return Optional.of(frame);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return fail(userId + " got no matching frame within " + WAIT + " and is still connected");
    }

    /** Whether frames have arrived that the test has not read yet. */
    public boolean hasQueuedFrames() {
        return !skipped.isEmpty() || !frames.isEmpty();
    }

    public void sendRaw(String text) {
        socket.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    public void send(JsonObject frame) {
        sendRaw(frame.toString());
    }

    /** Sends a chat message with a client id to correlate receipts. */
    public void sendMessage(String target, String text, String clientMsgId) {
        JsonObjectBuilder frame = Json.createObjectBuilder().add("target_id", target).add("message", text)
                .add("sender_id", userId);
        if (clientMsgId != null) {
            frame.add("client_msg_id", clientMsgId);
        }
        send(frame.build());
    }

    /** Sends one message and gives the answer to it: {@code queued} or the error's code. */
    public String answerTo(String target, String text) {
        return answersTo(target, text, 1).get(0);
    }

    /** Sends {@code count} messages at once, then collects the answer to each: {@code queued} or the error's code. */
    public List<String> answersTo(String target, String text, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "answer-" + ANSWERS.incrementAndGet();
            ids.add(id);
            sendMessage(target, text, id);
        }
        List<String> answers = new ArrayList<>();
        for (String id : ids) {
            JsonObject frame = next(f -> id.equals(f.getString("client_msg_id", null)));
            answers.add("error".equals(frame.getString("type")) ? frame.getString("code") : frame.getString("status"));
        }
        return answers;
    }

    public void ack(String messageId) {
        send(Json.createObjectBuilder().add("type", "ack").add("message_id", messageId).build());
    }

    /** Receives one chat message and acks it. */
    public JsonObject receiveAndAck() {
        JsonObject message = next("message");
        ack(message.getString("message_id"));
        return message;
    }

    /** Stops reading from the socket: no frames, no pongs. */
    public void goSilent() {
        silent = true;
    }

    /** Reads again (after {@link #goSilent()}). */
    public void resume() {
        silent = false;
        socket.request(Long.MAX_VALUE);
    }

    /** How the server closed the connection; fails the test if it stays open. */
    public Closed awaitClosed() {
        return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone() || socket.isInputClosed();
    }

    /** Closes as a polite client does: sends a close frame and waits for the server's (so nothing sent is cut off). */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(e -> null).join();
        }
        if (silent) {
            resume();
        }
        closed.completeOnTimeout(new Closed(-1, "no close from the server"), WAIT.toSeconds(), TimeUnit.SECONDS)
                .join();
        socket.abort();
    }

    /** Drops the TCP connection without a close handshake, like a client that lost its network. */
    public void abort() {
        socket.abort();
    }
}
