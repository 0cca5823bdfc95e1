package com.estatechat.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay between the server and the broker, that a test can cut (every connection
 * dropped, new ones refused) and restore: a broker outage without stopping the shared broker. It
 * can also hold back what the server sends while the broker's frames still reach the server.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean up;
    /** Guarded by this: what the server sends waits in the relay. */
    private boolean holding;

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
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException e) {
                // listener closed, or the broker refused: the client sees its connection end
            }
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
