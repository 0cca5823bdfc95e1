package com.estatechat.dev;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The development launcher behind {@code mvn -Prun package}: starts the {@link EmbeddedBroker}
 * (unless {@code chat.amqp.url} names a real broker), then Payara Micro as a child process with
 * the WAR at {@code /} and {@code chat.amqp.url} pointing at that broker, waits until the server
 * is ready and prints where to find it. Ctrl+C (or SIGTERM) stops Payara first, then the broker.
 *
 * <p>Payara runs in a process of its own rather than through its API in this JVM: the broker's
 * jars stay out of the application's class path, and Payara needs none of the JVM flags its
 * manifest carries. Every {@code chat.*} system property given to this launcher is passed on to
 * Payara; environment variables reach it anyway.
 *
 * <p>Settings (system properties): {@code chat.amqp.url} ({@code embedded}, the default, or an
 * {@code amqp://} URL; the environment variable {@code CHAT_AMQP_URL} counts too),
 * {@code chat.embedded.port} (5673), {@code chat.embedded.data-dir} ({@code target/embedded-broker}),
 * {@code chat.http.port} (8080), {@code dev.war}, {@code dev.payara-micro-jar}.
 */
public final class DevServer {

    private static final Logger LOG = Logger.getLogger(DevServer.class.getName());
    /** java.util.logging holds loggers weakly: keep the configured ones alive. */
    private static final List<Logger> KEEP = new ArrayList<>();

    private DevServer() {
    }

    public static void main(String[] args) throws Exception {
        quietBrokerLogs();
        String amqpUrl = setting("chat.amqp.url", "embedded");
        int brokerPort = Integer.parseInt(setting("chat.embedded.port", "5673"));
        Path dataDir = Path.of(setting("chat.embedded.data-dir", "target/embedded-broker"));
        int httpPort = Integer.parseInt(setting("chat.http.port", "8080"));
        Path war = Path.of(System.getProperty("dev.war", "target/estate-chat.war"));
        Path payaraJar = Path.of(System.getProperty("dev.payara-micro-jar", "target/payara-micro.jar"));
        require(war, "the WAR (build it with mvn package)");
        require(payaraJar, "Payara Micro (mvn package copies it into target/)");

        EmbeddedBroker broker = null;
        if ("embedded".equals(amqpUrl.trim())) {
            broker = EmbeddedBroker.start(brokerPort, dataDir);
            amqpUrl = broker.url();
        }
        Process payara = startPayara(war, payaraJar, httpPort, amqpUrl);
        EmbeddedBroker started = broker;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(payara, started), "dev-server-stop"));

        if (awaitReady(payara, httpPort)) {
            System.out.println("""

                    ==> Estate Chat is ready%s
                        browser page: http://localhost:%d/
                        WebSocket:    ws://localhost:%d/ws?id=<user>
                        health:       http://localhost:%d/health/ready
                        Stop it with Ctrl+C.
                    """.formatted(broker == null ? "" : " (development mode: embedded broker on 127.0.0.1:"
                    + brokerPort + ", data in " + dataDir.toAbsolutePath().normalize() + ")",
                    httpPort, httpPort, httpPort));
        } else if (payara.isAlive()) {
            System.out.println("\n==> Payara Micro runs on port " + httpPort
                    + " but the server is not ready yet; see /health/ready for the reason.\n");
        }
        int exit = payara.waitFor();
        // Payara ended by itself (it failed to start, or was stopped alone): take the broker down too
        System.exit(exit == 0 ? 0 : 1);
    }

    private static Process startPayara(Path war, Path payaraJar, int httpPort, String amqpUrl) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
        for (Map.Entry<Object, Object> property : System.getProperties().entrySet()) {
            String key = property.getKey().toString();
            if (key.startsWith("chat.") && !key.startsWith("chat.embedded.") && !key.equals("chat.amqp.url")
                    && !key.equals("chat.http.port")) {
                command.add("-D" + key + "=" + property.getValue());
            }
        }
        command.add("-Dchat.amqp.url=" + amqpUrl);
        command.addAll(List.of("-jar", payaraJar.toString(), "--deploy", war.toString(), "--contextroot", "/",
                "--port", String.valueOf(httpPort), "--nohazelcast", "--nocluster",
                "--prebootcommandfile", loopbackOnly().toString()));
        return new ProcessBuilder(command).inheritIO().start();
    }

    /**
     * The product's pre-boot commands, and one that binds Payara's HTTP listener to 127.0.0.1: the
     * development run has no authentication (mode none), so it must not be reachable from the network.
     */
    private static Path loopbackOnly() throws IOException {
        Path commands = Path.of(System.getProperty("java.io.tmpdir"), "dev-pre-boot.asadmin");
        Files.writeString(commands, Files.readString(Path.of("payara-config", "pre-boot-commands.asadmin"))
                + "set configs.config.server-config.network-config.network-listeners"
                + ".network-listener.http-listener.address=127.0.0.1\n");
        return commands;
    }

        private static boolean awaitReady(Process payara, int httpPort) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (payara.isAlive() && System.nanoTime() < deadline) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        return false;
    }

    private static void stop(Process payara, EmbeddedBroker broker) {
        // Payara first, so that it closes its AMQP connection (unacked deliveries go back) before the broker goes
        if (payara.isAlive()) {
            payara.destroy();
            try {
                if (!payara.waitFor(60, TimeUnit.SECONDS)) {
                    payara.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (broker != null) {
            try {
                broker.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Stopping the embedded broker failed", e);
            }
        }
    }

    /** A system property, else the environment variable of the same key (MicroProfile's naming), else the default. */
    private static String setting(String key, String fallback) {
        String value = System.getProperty(key);
        if (value == null || value.isBlank() || ("chat.amqp.url".equals(key) && "embedded".equals(value.trim()))) {
            String fromEnvironment = System.getenv(key.toUpperCase().replaceAll("[^A-Z0-9]", "_"));
            if (fromEnvironment != null && !fromEnvironment.isBlank()) {
                return fromEnvironment;
            }
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    private static void require(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: " + what);
        }
    }

    /** Qpid logs every connection and queue at INFO through SLF4J into java.util.logging: keep its warnings only. */
    private static void quietBrokerLogs() {
        for (String name : List.of("org.apache.qpid", "qpid.message", "qpid.statistics", "org.apache.derby")) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.WARNING);
            KEEP.add(logger);
        }
    }
}
