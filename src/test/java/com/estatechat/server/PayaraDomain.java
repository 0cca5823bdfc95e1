package com.estatechat.server;

import com.estatechat.support.TestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * A Payara Server domain of its own under target/, driven only through {@code asadmin}, as an
 * operator drives one: created with a free port base (never the default 4848 / 8080: other
 * servers run on this machine), started, configured, stopped. Each command's output is appended
 * to {@code target/payara-server/asadmin.log}.
 */
final class PayaraDomain {

    private static final Path WORK = Path.of("target", "payara-server");
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(5);

    private final Path asadmin;
    private final Path domains;
    private final String name;
    private final int portBase;

    private PayaraDomain(Path home, Path domains, String name, int portBase) {
        this.asadmin = home.resolve("bin/asadmin");
        this.domains = domains;
        this.name = name;
        this.portBase = portBase;
    }

    /**
     * Creates the domain {@code name} under target/payara-server/domains, after stopping and deleting
     * what an earlier run may have left there.
     */
    static PayaraDomain create(Path home, String name) {
        Path domains = WORK.resolve("domains").toAbsolutePath();
        PayaraDomain domain = new PayaraDomain(home, domains, name, freePortBase());
        if (Files.isDirectory(domains.resolve(name))) {
            domain.runQuietly("stop-domain", "--domaindir", domains.toString(), "--kill=true", name);
            try {
                TestFiles.deleteTree(domains.resolve(name));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + domains.resolve(name), e);
            }
        }
        domain.local("create-domain", "--domaindir", domains.toString(), "--portbase", String.valueOf(domain.portBase),
                "--nopassword=true", name);
        return domain;
    }

    void start() {
        local("start-domain", "--domaindir", domains.toString(), name);
    }

    /** Stops the domain; kills its JVM when it does not stop by itself. */
    void stop() {
        if (runQuietly("stop-domain", "--domaindir", domains.toString(), name) != 0) {
            runQuietly("stop-domain", "--domaindir", domains.toString(), "--kill=true", name);
        }
    }

    /** A remote command to this domain's admin port; fails on a non-zero exit. Returns what it printed. */
    String asadmin(String... command) {
        List<String> full = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", String.valueOf(adminPort())));
        full.addAll(List.of(command));
        return local(full.toArray(String[]::new));
    }

    /** The commands of a file, one asadmin JVM for all of them ({@code asadmin multimode --file}). */
    String asadminFile(Path commands) {
        return asadmin("multimode", "--file", commands.toAbsolutePath().toString());
    }

    int adminPort() {
        return portBase + 48;
    }

    int httpPort() {
        return portBase + 80;
    }

    URI http() {
        return URI.create("http://127.0.0.1:" + httpPort() + "/");
    }

    URI admin() {
        return URI.create("http://127.0.0.1:" + adminPort() + "/");
    }

    Path directory() {
        return domains.resolve(name);
    }

    Path serverLog() {
        return directory().resolve("logs/server.log");
    }

    /** The process id of the domain's JVM, from the pid file the running domain keeps. */
    long pid() {
        try {
            return Long.parseLong(Files.readString(directory().resolve("config/pid")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("the domain does not run (no pid file)", e);
        }
    }

    private String local(String... command) {
        Result result = run(command);
        if (result.exit() != 0) {
            throw new IllegalStateException("asadmin " + String.join(" ", command) + " exited with " + result.exit()
                    + ":\n" + result.output() + "\nserver log: " + serverLog());
        }
        return result.output();
    }

    /** Runs a command whose failure is acceptable (stopping what may not run); returns its exit code. */
    private int runQuietly(String... command) {
        return run(command).exit();
    }

    private record Result(int exit, String output) {
    }

    private Result run(String... command) {
        List<String> full = new ArrayList<>(List.of(asadmin.toString(), "--interactive=false"));
        full.addAll(List.of(command));
        try {
            Path output = Files.createTempFile(Files.createDirectories(WORK), "asadmin", ".out");
            Process process = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("asadmin " + String.join(" ", command) + " did not finish in "
                        + COMMAND_TIMEOUT);
            }
            String printed = Files.readString(output);
            Files.delete(output);
            Files.writeString(WORK.resolve("asadmin.log"), "$ asadmin " + String.join(" ", command) + "\n" + printed
                    + "(exit " + process.exitValue() + ")\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new Result(process.exitValue(), printed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + full, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A port base whose hundred ports (admin +48, HTTP +80, HTTPS +81, IIOP, JMS, JMX…) are all free. */
    private static int freePortBase() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(200, 600) * 100;
            if (IntStream.range(candidate, candidate + 100).allMatch(PayaraDomain::free)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free port base for Payara Server");
    }

    private static boolean free(int port) {
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

}
