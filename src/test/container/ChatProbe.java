import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A chat with receipts through a running server, for bin/container-test: bob connects, alice sends
 * him a message and gets {@code queued}, bob gets it and acks, alice gets {@code delivered}. Run as
 * a single-file program, JDK only: {@code java ChatProbe.java <ws base URL> <header secret> <user prefix>}.
 * Prints the message id on success; exits 1 with the reason otherwise.
 */
public class ChatProbe {

    static final long WAIT_SECONDS = 20;

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String secret = args[1];
        String alice = args[2] + "-alice";
        String bob = args[2] + "-bob";
        Client b = Client.connect(base, secret, bob);
        b.expect("\"type\":\"connected\"");
        Client a = Client.connect(base, secret, alice);
        a.expect("\"type\":\"connected\"");

        a.send("{\"type\":\"message\",\"target_id\":\"" + bob + "\",\"message\":\"hello from the container test\",\"client_msg_id\":\"c1\"}");
        String queued = a.expect("\"status\":\"queued\"");
        String messageId = field(queued, "message_id");
        String message = b.expect("\"type\":\"message\"");
        if (!messageId.equals(field(message, "message_id")) || !message.contains("hello from the container test")) {
            fail("bob got another message: " + message);
        }
        b.send("{\"type\":\"ack\",\"message_id\":\"" + messageId + "\"}");
        String delivered = a.expect("\"status\":\"delivered\"");
        if (!messageId.equals(field(delivered, "message_id"))) {
            fail("delivered names another message: " + delivered);
        }
        a.close();
        b.close();
        System.out.println(messageId);
    }

    static String field(String json, String name) {
        String key = "\"" + name + "\":\"";
        int start = json.indexOf(key);
        if (start < 0) {
            fail("no " + name + " in " + json);
        }
        start += key.length();
        return json.substring(start, json.indexOf('"', start));
    }

    static void fail(String reason) {
        System.err.println("ChatProbe: " + reason);
        System.exit(1);
    }

    /** One user's connection; its frames go into a queue that {@link #expect} reads with a timeout. */
    static final class Client implements WebSocket.Listener {
        final String user;
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        Client(String user) {
            this.user = user;
        }

        static Client connect(String base, String secret, String user) throws Exception {
            Client client = new Client(user);
            client.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Authorization", secret)
                    .buildAsync(URI.create(base + "/ws?id=" + user), client)
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            return client;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            frames.add("closed " + statusCode + " " + reason);
            return null;
        }

        void send(String frame) throws Exception {
            socket.sendText(frame, true).get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        /** The next frame that contains {@code part}, skipping others (pings, receipts not asked for). */
        String expect(String part) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (true) {
                String frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (frame == null) {
                    fail(user + " waited " + WAIT_SECONDS + " s for a frame with " + part);
                }
                if (frame.contains(part)) {
                    return frame;
                }
                if (frame.startsWith("closed ") || frame.contains("\"type\":\"error\"")) {
                    fail(user + " got " + frame + " while waiting for " + part);
                }
            }
        }

        void close() throws Exception {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
