package com.estatechat.support;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * Payara Micro in a process of its own, for tests that stop and start the server, which
 * Arquillian's managed container does not let a test do and still reach the new instance.
 * {@link #stop()} sends SIGTERM, so Payara shuts down the application gracefully.
 */
public final class PayaraMicroProcess implements AutoCloseable {

    private final Path war;
    private final Path log;
    private final int port;
    private final List<String> options = new ArrayList<>();
    private final Map<String, String> environment = new HashMap<>();
    private Process process;
    /** Started through {@link PayaraMicroConsole}, which takes {@code undeploy} and {@code deploy} commands. */
    private boolean console;
    private int commands;
    /** The log's length when the process started: a command's answer is looked for after it. */
    private long logStart;

    public PayaraMicroProcess(WebArchive archive) {
        this(archive, "node");
    }

    /** One of several servers running the same archive: {@code node} names its files. */
    public PayaraMicroProcess(WebArchive archive, String node) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "payara-process"));
            this.war = dir.resolve(node + "-" + archive.getName());
            this.log = dir.resolve(node + "-" + archive.getName() + ".log");
            archive.as(ZipExporter.class).exportTo(war.toFile(), true);
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                this.port = probe.getLocalPort();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare the deployment", e);
        }
    }

    /** Extra Payara Micro options (such as {@code --postbootcommandfile file}) for the next starts. */
    public PayaraMicroProcess withOptions(String... more) {
        options.addAll(List.of(more));
        return this;
    }

    /**
     * The next starts run Payara Micro under {@link PayaraMicroConsole}, so that {@link #undeploy()}
     * and {@link #deploy()} can take the application away and bring it back in the same process.
     */
    public PayaraMicroProcess undeployable() {
        console = true;
        commands = 0;
        return this;
    }

    /** Environment variables for the next starts. */
    public PayaraMicroProcess withEnvironment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Starts Payara Micro with the WAR at context root / and waits until the app is ready. */
    public URI start() {
        return start("/health/ready");
    }

    /** Starts Payara Micro with the WAR at context root / and waits until {@code healthPath} answers 200. */
    public URI start(String healthPath) {
        String jar = System.getProperty("payara.microJar", "target/payara-micro.jar");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-Djava.io.tmpdir=target",
                "-ea:com.estatechat..."));
        if (console) {
            command.addAll(modulesOpenedBy(jar));
            command.addAll(List.of("-cp", jar + File.pathSeparator + consoleClassPath(),
                    PayaraMicroConsole.class.getName()));
        } else {
            command.addAll(List.of("-jar", jar));
        }
        command.addAll(List.of("--deploy", war.toString(), "--contextroot", "/",
                "--port", String.valueOf(port), "--nohazelcast", "--nocluster",
                "--prebootcommandfile", Path.of("payara-config", "pre-boot-commands.asadmin").toString()));
        command.addAll(options);
        try {
            logStart = Files.exists(log) ? Files.size(log) : 0;
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Payara Micro", e);
        }
        commands = 0;
        awaitHealth(healthPath);
        assertNoCheckThrew();
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** The probes of this start were answered: none of the application's checks threw (Payara logs each with its stack). */
    private void assertNoCheckThrew() {
        try {
            if (logSinceStart().contains("Exception executing HealthCheck")) {
                throw new IllegalStateException("a health check threw while Payara Micro started; see " + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }

    private void awaitHealth(String healthPath) {
        URI root = URI.create("http://127.0.0.1:" + port + "/");
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("Payara Micro exited; see " + log);
                    }
                    return http.send(HttpRequest.newBuilder(root.resolve(healthPath)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
    }

    /**
     * Undeploys the application, the process staying up (see {@link #undeployable()}); returns once
     * Payara Micro's {@code undeploy} returned, which is after the application's shutdown ran.
     */
    public void undeploy() {
        command("undeploy");
    }

    /** Deploys the same WAR again (after {@link #undeploy()}) and waits until the app is ready. */
    public void deploy() {
        command("deploy");
        awaitHealth("/health/ready");
    }

    private void command(String command) {
        if (!console || process == null) {
            throw new IllegalStateException("not started undeployable()");
        }
        String answer = "[console " + (++commands) + "] ";
        try {
            process.getOutputStream().write((command + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        } catch (IOException e) {
            throw new IllegalStateException("cannot tell Payara Micro to " + command, e);
        }
        String line = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> logSinceStart().lines().filter(l -> l.contains(answer)).findFirst().orElse(""),
                        found -> !found.isEmpty());
        if (line.contains("failed")) {
            throw new IllegalStateException(command + ": " + line + "; see " + log);
        }
    }

    private String logSinceStart() throws IOException {
        byte[] all = Files.readAllBytes(log);
        return new String(all, (int) logStart, all.length - (int) logStart, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The {@code Add-Opens} and {@code Add-Exports} of the jar's manifest, which only {@code -jar} applies. */
    private static List<String> modulesOpenedBy(String jar) {
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar)) {
            java.util.jar.Attributes main = file.getManifest().getMainAttributes();
            List<String> options = new ArrayList<>();
            for (String kind : List.of("Add-Opens", "Add-Exports")) {
                String packages = main.getValue(kind);
                for (String modulePackage : packages == null ? new String[0] : packages.trim().split("\\s+")) {
                    options.add("--" + kind.toLowerCase(java.util.Locale.ROOT) + "=" + modulePackage + "=ALL-UNNAMED");
                }
            }
            return options;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the manifest of " + jar, e);
        }
    }

    /** A directory that holds {@link PayaraMicroConsole}'s class alone (the test classes would be seen by the WAR). */
    private static String consoleClassPath() {
        String file = PayaraMicroConsole.class.getSimpleName() + ".class";
        try (java.io.InputStream compiled = PayaraMicroConsole.class.getResourceAsStream(file)) {
            Path dir = Path.of("target", "payara-process", "console");
            Path copy = dir.resolve(PayaraMicroConsole.class.getPackageName().replace('.', '/')).resolve(file);
            Files.createDirectories(copy.getParent());
            Files.copy(compiled, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return dir.toAbsolutePath().toString();
        } catch (IOException e) {
            throw new IllegalStateException("cannot copy " + file, e);
        }
    }

    /** SIGTERM and wait: Payara runs its shutdown hooks and undeploys the application. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** SIGKILL: the process dies at once, with no shutdown hook and nothing flushed or closed. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    public File log() {
        return log.toFile();
    }

    @Override
    public void close() {
        stop();
    }
}
