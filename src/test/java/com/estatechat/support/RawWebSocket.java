package com.estatechat.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client for hostile tests, written against RFC 6455 on a plain socket: it sends any
 * opcode with any payload (invalid UTF-8 in a text frame, binary, reserved opcodes), which the
 * JDK's client refuses to do. A reader thread collects the server's frames and its close code;
 * pings are answered. Not a general client: no extensions, no fragmented reads of text.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** One frame from the server. */
    public record Frame(int opcode, byte[] payload) {

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame; 1005 when it has none. */
        public int closeCode() {
            return payload.length >= 2 ? ByteBuffer.wrap(payload).getShort() & 0xFFFF : 1005;
        }
    }

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final BlockingQueue<Frame> texts = new LinkedBlockingQueue<>();
    /** The server's close code, or -1 when the connection ended without a close frame. */
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile boolean answerPings = true;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    }

    /** Upgrades {@code ws://host:port/path?query} and starts reading; fails the test unless the server answers 101. */
    public static RawWebSocket connect(URI uri) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) ChatClient.WAIT.toMillis());
            socket.setTcpNoDelay(true);
            RawWebSocket client = new RawWebSocket(socket);
            client.handshake(uri);
            Thread reader = new Thread(client::readLoop, "raw-websocket-reader");
            reader.setDaemon(true);
            reader.start();
            return client;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handshake(URI uri) throws IOException {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        socket.setSoTimeout((int) ChatClient.WAIT.toMillis());
        String status = readLine();
        assertThat(status).as("handshake status").startsWith("HTTP/1.1 101");
        String accept = null;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Accept")) {
                accept = line.substring(colon + 1).trim();
            }
        }
        assertThat(accept).as("Sec-WebSocket-Accept").isEqualTo(acceptFor(key));
        socket.setSoTimeout(0);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed during the handshake");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    private static String acceptFor(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void readLoop() {
        try {
            while (true) {
                Frame frame = readFrame(in);
                switch (frame.opcode()) {
                    case PING -> {
                        if (answerPings) {
                            send(true, PONG, frame.payload());
                        }
                    }
                    case CLOSE -> {
                        closed.complete(frame.closeCode());
                        return;
                    }
                    case PONG -> {
                    }
                    default -> texts.add(frame);
                }
            }
        } catch (IOException | RuntimeException e) {
            closed.complete(-1);
        } finally {
            closeSocket();
        }
    }

    private static Frame readFrame(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] mask = null;
        if ((second & 0x80) != 0) {
            mask = in.readNBytes(4);
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i % 4];
            }
        }
        return new Frame(first & 0x0F, payload);
    }

    /** Sends a text frame with this text, in UTF-8. */
    public void sendText(String text) {
        send(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one frame, masked as a client must: any opcode, any payload, fin or not. */
    public void send(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            frame.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.writeBytes(mask);
        byte[] masked = payload.clone();
        for (int i = 0; i < masked.length; i++) {
            masked[i] ^= mask[i % 4];
        }
        frame.writeBytes(masked);
        try {
            synchronized (out) {
                out.write(frame.toByteArray());
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a frame that announces {@code announcedLength} bytes of payload and sends only
     * {@code part} of it, masked: the server holds an unfinished frame until the rest comes.
     *
     * @return false when the server had already ended the connection and the bytes could not be written
     */
    public boolean sendStartOfFrame(int opcode, long announcedLength, byte[] part) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(part.length + 14);
        frame.write(0x80 | opcode);
        frame.write(0x80 | 127);
        frame.writeBytes(ByteBuffer.allocate(8).putLong(announcedLength).array());
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        frame.writeBytes(mask);
        byte[] masked = part.clone();
        for (int i = 0; i < masked.length; i++) {
            masked[i] ^= mask[i % 4];
        }
        frame.writeBytes(masked);
        return write(frame.toByteArray());
    }

    private boolean write(byte[] bytes) {
        try {
            synchronized (out) {
                out.write(bytes);
                out.flush();
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads on but answers no ping from now: the server cannot tell that anything was read. */
    public void ignorePings() {
        answerPings = false;
    }

    /** The next text frame from the server; fails the test if none comes in time. */
    public String nextText() {
        try {
            Frame frame = texts.poll(ChatClient.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                fail("no frame from the server within " + ChatClient.WAIT + (closed.isDone()
                        ? "; it closed the connection with " + closed.join() : ""));
            }
            assertThat(frame.opcode()).as("opcode of a server frame").isEqualTo(TEXT);
            return frame.text();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next text frame within the given time, or null. */
    public String pollText(Duration wait) throws InterruptedException {
        Frame frame = texts.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        return frame == null ? null : frame.text();
    }

    /** The server's close code (-1: the connection ended without one); fails the test if it stays open. */
    public int awaitCloseCode() {
        return closed.orTimeout(ChatClient.WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** The server's close code if it closes within {@code wait}; fails the test otherwise. */
    public int awaitCloseCode(Duration wait) {
        try {
            return closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + wait, e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Closes politely: a close frame, then the server's, then the socket. */
    @Override
    public void close() {
        if (!closed.isDone()) {
            try {
                send(true, CLOSE, ByteBuffer.allocate(2).putShort((short) 1000).array());
            } catch (UncheckedIOException e) {
                closeSocket();
            }
            closed.completeOnTimeout(-1, ChatClient.WAIT.toSeconds(), TimeUnit.SECONDS).join();
        }
        closeSocket();
    }

    /** Drops the TCP connection without a close frame, like a client that lost its network. */
    public void abort() {
        closeSocket();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
