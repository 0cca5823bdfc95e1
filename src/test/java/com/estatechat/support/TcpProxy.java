package com.estatechat.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay between the server and the broker, that a test can cut (every connection
 * dropped, new ones refused) and restore: a broker outage without stopping the shared broker. It
 * can also hold back what the server sends while the broker's frames still reach the server, drop
 * one connection, and stall the next one: accepted, but nothing relayed (a broker that takes the
 * TCP connection and does not answer).
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean up;
    /** Guarded by this: what the server sends waits in the relay. */
    private boolean holding;
    /** Guarded by this: the next connection accepted is stalled. */
    private boolean stallNext;
    /** Guarded by this: accepted connections that wait for {@link #releaseStalled()}. */
    private final List<Socket> stalled = new ArrayList<>();
    /** The connections relayed now, by the client's port. */
    private final Map<Integer, Socket> clients = new ConcurrentHashMap<>();

    private TcpProxy(int targetPort, boolean up) throws IOException {
        this.targetPort = targetPort;
        this.up = up;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A relay to 127.0.0.1:{@code targetPort}, passing traffic or not from the start. */
    public static TcpProxy to(int targetPort, boolean up) {
        try {
            return new TcpProxy(targetPort, up);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a loopback port", e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Drops every relayed connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        up = false;
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
        synchronized (this) {
            stalled.clear();
        }
    }

    public void restore() {
        up = true;
    }

    /**
     * Holds what the server sends to the broker in the relay until {@link #release()}; the broker's
     * frames still reach the server. The server's answer to what the broker tells it then reaches
     * the broker after whatever the test does meanwhile.
     */
    public synchronized void holdToBroker() {
        holding = true;
    }

    public synchronized void release() {
        holding = false;
        notifyAll();
    }

    /** The next connection is accepted but relayed only from {@link #releaseStalled()} on. */
    public synchronized void stallNext() {
        stallNext = true;
    }

    /** How many accepted connections are stalled now. */
    public synchronized int stalled() {
        return stalled.size();
    }

    /** Relays the stalled connections from now on, as if the broker answered at last. */
    public void releaseStalled() {
        List<Socket> waiting;
        synchronized (this) {
            waiting = new ArrayList<>(stalled);
            stalled.clear();
        }
        waiting.forEach(this::relay);
    }

    /** How many connections are relayed now (each ends when either side closes it). */
    public int relayed() {
        return clients.size();
    }

    /** Drops the one relayed connection whose client side has this port: a network fault on it alone. */
    public void drop(int clientPort) {
        Socket client = clients.get(clientPort);
        if (client == null) {
            throw new IllegalStateException("no relayed connection from port " + clientPort);
        }
        closeQuietly(client);
    }

    private synchronized boolean stallIfAsked(Socket client) {
        if (!stallNext) {
            return false;
        }
        stallNext = false;
        stalled.add(client);
        return true;
    }

    private synchronized void awaitRelease() throws InterruptedException {
        while (holding) {
            wait();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                if (!up) {
                    closeQuietly(client);
                    continue;
                }
                sockets.add(client);
                if (!stallIfAsked(client)) {
                    relay(client);
                }
            } catch (IOException e) {
                // listener closed: nothing more is accepted
            }
        }
    }

    private void relay(Socket client) {
        try {
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            sockets.add(upstream);
            clients.put(client.getPort(), client);
            pump(client, upstream, true);
            pump(upstream, client, false);
        } catch (IOException e) {
            closeQuietly(client); // the broker refused: the client sees its connection end
        }
    }

    private void pump(Socket from, Socket to, boolean toBroker) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (toBroker) {
                        awaitRelease();
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed: close both below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                clients.remove((toBroker ? from : to).getPort());
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
