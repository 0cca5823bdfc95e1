package com.estatechat.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local RabbitMQ node through {@code rabbitmqctl}: stopped and started with {@code stop_app} /
 * {@code start_app} (every client connection is closed by the broker, and durable queues with their
 * persistent messages come back from disk, as after a broker restart), and asked about its queues.
 */
public final class RabbitMqNode {

    private RabbitMqNode() {
    }

    public static void stopApp() {
        rabbitmqctl("stop_app");
    }

    /** Starts the broker application and waits until it accepts connections. */
    public static void startApp() {
        rabbitmqctl("start_app");
        rabbitmqctl("await_startup");
    }

    /** The broker closes the client connection whose port on the client's side is {@code clientPort}. */
    public static void closeConnectionFrom(int clientPort, String reason) {
        for (String line : list("list_connections", "pid", "peer_port")) {
            String[] columns = line.trim().split("\t");
            if (columns.length == 2 && columns[1].trim().equals(String.valueOf(clientPort))) {
                rabbitmqctl("close_connection", columns[0].trim(), reason);
                return;
            }
        }
        throw new IllegalStateException("the broker has no connection from port " + clientPort);
    }

    /** The type of a queue ({@code classic}, {@code quorum}), as the broker reports it. */
    public static String queueType(String queue) {
        for (String line : rabbitmqctl("list_queues", "-q", "--no-table-headers", "name", "type").split("\n")) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length == 2 && columns[0].equals(queue)) {
                return columns[1];
            }
        }
        throw new IllegalStateException("the broker has no queue " + queue);
    }

    /**
     * One line per item the broker lists ({@code list_connections}, {@code list_channels},
     * {@code list_consumers}…), its columns separated by tabs.
     */
    public static List<String> list(String command, String... columns) {
        List<String> arguments = new ArrayList<>(List.of(command, "-q", "--no-table-headers"));
        arguments.addAll(List.of(columns));
        return rabbitmqctl(arguments.toArray(String[]::new)).lines().filter(line -> !line.isBlank()).toList();
    }

    private static String rabbitmqctl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
        command.addAll(List.of(arguments));
        try {
            Path log = Files.createDirectories(Path.of("target", "chaos-reports")).resolve("rabbitmqctl.log");
            Path output = Files.createTempFile(log.getParent(), "rabbitmqctl", ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in 120 s; see " + log);
            }
            String printed = Files.readString(output);
            Files.delete(output);
            Files.writeString(log, String.join(" ", command) + "\n" + printed, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " exited with " + process.exitValue() + ": " + printed);
            }
            return printed;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
