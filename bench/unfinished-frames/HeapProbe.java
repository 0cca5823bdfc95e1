import java.io.*;
import java.net.*;
import java.net.http.*;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.*;

/**
 * Issue 22: opens SOCKETS anonymous WebSockets on ws://127.0.0.1:PORT/mqtt; each sends BYTES of a
 * binary frame announced as 4 MB and never the rest, and all stay open HOLD_MS while the server's heap
 * is measured (measure.sh). Usage: java HeapProbe.java PORT SOCKETS BYTES HOLD_MS
 */
public class HeapProbe {
    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1"; int port = Integer.parseInt(args[0]); int sockets = Integer.parseInt(args[1]);
        int sendBytes = Integer.parseInt(args[2]);
        System.out.println("heap before: " + heap(port) + " MB");
        List<Socket> open = new ArrayList<>();
        int closedEarly = 0;
        long started = System.nanoTime();
        for (int i = 0; i < sockets; i++) {
            Socket s = new Socket(host, port);
            OutputStream out = s.getOutputStream();
            out.write(("GET /mqtt HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            // skip the 101 response
            int crlf = 0; while (crlf < 4) { int b = in.read(); if (b < 0) break; crlf = (b == '\r' || b == '\n') ? crlf + 1 : 0; }
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x82); frame.write(0x80 | 127); frame.writeBytes(ByteBuffer.allocate(8).putLong(4L << 20).array());
            frame.writeBytes(new byte[] {1, 2, 3, 4});
            try {
                out.write(frame.toByteArray());
                byte[] chunk = new byte[64 * 1024];
                for (int sent = 0; sent < sendBytes; sent += chunk.length) {
                    out.write(chunk, 0, Math.min(chunk.length, sendBytes - sent));
                }
                out.flush();
            } catch (IOException e) {
                closedEarly++;
            }
            open.add(s);
        }
        System.out.printf("SENT %d sockets sent %d bytes each of a 4 MB frame in %d ms; %d writes failed (closed by the server)%n",
                sockets, sendBytes, (System.nanoTime() - started) / 1_000_000, closedEarly);
        Thread.sleep(Long.parseLong(args[3])); // the sockets stay open while the server's heap is measured
        System.out.println("heap used (metrics, with garbage): " + heap(port) + " MB");
        for (Socket s : open) s.close();
    }

    static long heap(int port) throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics?scope=base")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith("memory_usedHeap_bytes") || l.startsWith("base_memory_usedHeap_bytes"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) / (1 << 20)).findFirst().orElse(-1);
    }
}
