package com.estatechat.wildfly;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.LandlordAndTenant;
import com.estatechat.support.RawWebSocket;
import com.estatechat.support.UserDirectoryClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same WAR, unchanged, on WildFly (its {@code standalone-microprofile.xml}), against the real
 * RabbitMQ: connect, send, receive, both receipts. Runs with {@code mvn -Pwildfly verify}, which
 * unpacks WildFly from Maven Central and sets {@code wildfly.home}; skipped otherwise. WildFly
 * serves the WAR under {@code /estate-chat/} and health on its management port.
 */
class WildFlySmokeIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final int HTTP_PORT = 8080;
    private static final int MANAGEMENT_PORT = 9990;

    private static Process server;
    private static int offset;
    private static Path log;

    @BeforeAll
    static void startWildFly() throws Exception {
        String home = System.getProperty("wildfly.home");
        Assumptions.assumeTrue(home != null, "WildFly runs with -Pwildfly only");
        Path wildfly = Path.of(home);
        Path deployments = wildfly.resolve("standalone/deployments");
        for (String marker : List.of(".deployed", ".failed", ".isdeploying", ".undeployed", ".pending")) {
            Files.deleteIfExists(deployments.resolve("estate-chat.war" + marker));
        }
        Files.copy(Path.of("target/estate-chat.war"), deployments.resolve("estate-chat.war"),
                StandardCopyOption.REPLACE_EXISTING);
        offset = freeOffset();
        log = Files.createDirectories(Path.of("target", "wildfly-smoke")).resolve("server-" + RUN + ".out");
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", wildfly.resolve("bin/standalone.sh").toString(),
                "-c", "standalone-microprofile.xml", "-Djboss.socket.binding.port-offset=" + offset)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        // the script then forwards SIGTERM to the server's JVM instead of leaving it behind
        builder.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "1");
        builder.environment().put("CHAT_AMQP_URL",
                System.getProperty("chat.test.amqp.url", "amqp://guest:guest@127.0.0.1:5672"));
        builder.environment().put("CHAT_AMQP_EXCHANGE", "test.wildfly." + RUN);
        builder.environment().put("CHAT_AMQP_INBOX_PREFIX", "test.wildfly." + RUN + ".inbox.");
        builder.environment().put("CHAT_AMQP_DEAD_LETTER_EXCHANGE", "test.wildfly." + RUN + ".dead-letter");
        builder.environment().put("CHAT_HISTORY_QUEUE", "test.wildfly." + RUN + ".history");
        builder.environment().put("CHAT_HISTORY_EMBEDDED_PATH",
                Path.of("target", "history", "wildfly-" + RUN).toAbsolutePath().toString());
        builder.environment().put("CHAT_AUTH_MODE", "none");
        builder.environment().put("CHAT_ALLOW_MISSING_ORIGIN", "true");
        server = builder.start();

        Path deployed = deployments.resolve("estate-chat.war.deployed");
        Path failed = deployments.resolve("estate-chat.war.failed");
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(failed).as("deployment failed; see %s", failed).doesNotExist();
            assertThat(server.isAlive()).as("WildFly runs; see %s", log).isTrue();
            return Files.exists(deployed);
        });
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> http.send(HttpRequest.newBuilder(health()).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    @AfterAll
    static void stopWildFly() throws InterruptedException {
        if (server == null) {
            return;
        }
        List<ProcessHandle> jvm = server.descendants().toList();
        server.destroy();
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
        jvm.forEach(ProcessHandle::destroyForcibly);
    }

    private static URI root() {
        return URI.create("http://127.0.0.1:" + (HTTP_PORT + offset) + "/estate-chat/");
    }

    private static URI health() {
        return URI.create("http://127.0.0.1:" + (MANAGEMENT_PORT + offset) + "/health/ready");
    }

    @Test
    void messageTravelsWithBothReceipts() {
        try (LandlordAndTenant chat = LandlordAndTenant.connect(root())) {
            String id = chat.messageTravelsWithBothReceipts();
            ChatClient a = chat.landlord();

            // the conversation store (embedded H2 through Hibernate here, EclipseLink on Payara): the
            // message a second device of alice's did not see comes back from it, delivered
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                a.send(Json.createObjectBuilder().add("type", "sync").add("since", "00000000-0000-0000-0000-000000000000")
                        .build());
                List<JsonObject> synced = new java.util.ArrayList<>();
                for (JsonObject frame = a.next(f -> f.getBoolean("synced", false) || "synced".equals(f.getString("type")));
                        !"synced".equals(frame.getString("type")); frame = a.next(
                                f -> f.getBoolean("synced", false) || "synced".equals(f.getString("type")))) {
                    synced.add(frame);
                }
                assertThat(synced).singleElement().satisfies(frame -> {
                    assertThat(frame.getString("message_id")).isEqualTo(id);
                    assertThat(frame.getString("status")).isEqualTo("delivered");
                });
            });
        }
    }

    /** The user directory's REST API (JAX-RS: RESTEasy here, Jersey on Payara) works unchanged. */
    @Test
    void aProvisionedUserGetsWhatWasSentBeforeItsFirstConnection() {
        String tenant = user("tenant");
        UserDirectoryClient.provision(root(), tenant, "tenant");
        try (ChatClient a = ChatClient.connect(root(), user("admin"), "admin")) {
            a.sendMessage(tenant, "welcome", "w1");
            assertThat(a.next("receipt").getString("status")).isEqualTo("queued");
        }
        try (ChatClient t = ChatClient.connect(root(), tenant)) {
            assertThat(t.receiveAndAck().getString("message")).isEqualTo("welcome");
        }
    }

    @Test
    void malformedIdIsRefusedBeforeTheUpgrade() {
        URI bad = URI.create(root().toString().replaceFirst("^http", "ws") + "ws?id=not%20valid!");
        CompletionException refused = catchThrowableOfType(CompletionException.class,
                () -> HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(bad, new java.net.http.WebSocket.Listener() {
                }).join());
        assertThat(refused.getCause()).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) refused.getCause()).getResponse().statusCode()).isEqualTo(400);
    }

    /**
     * Issue 22: Undertow streams a frame to the endpoints' partial handlers and bounds a whole text
     * message by the session's buffer size, so a frame announced as 4 MB is refused after its first
     * bytes with the codes documented for Payara: 1009 for text on /ws (past chat.max-frame-bytes),
     * 1003 for binary; on /mqtt 1009 for a packet announced over the limit, 1003 for text (its handler
     * used to collect a whole text message, with no bound, until the CONNECT deadline's 1008).
     */
    @Test
    void framesAnnouncedAs4MbAreRefusedWithTheDocumentedCodes() {
        URI ws = ChatClient.uri(root(), user("greedy"), null);
        URI mqtt = URI.create(root().toString().replaceFirst("^http", "ws") + "mqtt");
        byte[] text = "x".repeat(128 * 1024).getBytes(StandardCharsets.UTF_8);
        assertThat(closeCode(ws, RawWebSocket.TEXT, text)).as("/ws text").isEqualTo(1009);
        assertThat(closeCode(ws, RawWebSocket.BINARY, new byte[64 * 1024])).as("/ws binary").isEqualTo(1003);
        assertThat(closeCode(mqtt, RawWebSocket.TEXT, text)).as("/mqtt text").isEqualTo(1003);
        // a PUBLISH announcing 4 MB of remaining length (0x80 0x80 0x80 0x02), then zeros
        byte[] publish = new byte[64 * 1024];
        System.arraycopy(new byte[] {0x32, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x02}, 0, publish, 0, 5);
        assertThat(closeCode(mqtt, RawWebSocket.BINARY, publish)).as("/mqtt binary").isEqualTo(1009);
    }

    /** Sends the start of a frame announced as 4 MB and returns the server's close code, which must come within 3 s. */
    private static int closeCode(URI uri, int opcode, byte[] start) {
        try (RawWebSocket greedy = RawWebSocket.connect(uri)) {
            greedy.sendStartOfFrame(opcode, 4L << 20, start);
            return greedy.awaitCloseCode(Duration.ofSeconds(3));
        }
    }

    /** A port offset under which WildFly's HTTP, HTTPS and management ports are free. */
    private static int freeOffset() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(100, 2000);
            if (IntStream.of(8080, 8443, 9990, 9993, 4712, 4713).allMatch(port -> free(port + candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free port offset for WildFly");
    }

    private static boolean free(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
