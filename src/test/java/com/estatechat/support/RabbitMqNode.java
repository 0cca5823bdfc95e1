package com.estatechat.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    /**
     * Raises a memory alarm on the node at once: the broker stops reading from every connection
     * that publishes (it tells them {@code connection.blocked}); consumers keep receiving. Closing
     * the result puts the node's watermark back: use it in try-with-resources, so that the broker is
     * restored even when the test fails.
     */
    public static Fault memoryAlarm() {
        String watermark = rabbitmqctl("eval", "vm_memory_monitor:get_vm_memory_high_watermark().").trim();
        if (!watermark.matches("[0-9.]+")) {
            throw new IllegalStateException("the node's memory watermark is not a plain fraction: " + watermark);
        }
        rabbitmqctl("set_vm_memory_high_watermark", "0.00001");
        return () -> rabbitmqctl("set_vm_memory_high_watermark", watermark);
    }

    /**
     * Raises a disk alarm on the node at once (a free-disk limit far above what any disk has), with
     * the same effect on publishers as {@link #memoryAlarm()}; closing it puts the limit in force
     * before back, in bytes.
     */
    public static Fault diskAlarm() {
        String limit = rabbitmqctl("eval", "rabbit_disk_monitor:get_disk_free_limit().").trim();
        if (!limit.matches("[0-9]+")) {
            throw new IllegalStateException("the node's disk free limit is not a number of bytes: " + limit);
        }
        rabbitmqctl("set_disk_free_limit", "1000000000000000");
        return () -> rabbitmqctl("set_disk_free_limit", limit);
    }

    /**
     * Lowers the broker's {@code consumer_timeout} for the channels opened from now on, and has every
     * channel opened from now on check it each second instead of each minute (RabbitMQ 3.10 reads
     * {@code channel_tick_interval} whenever a channel arms its tick). Closing the result puts both
     * settings back as they were.
     */
    public static Fault consumerTimeout(Duration timeout) {
        String before = rabbitmqctl("eval", "application:get_env(rabbit, consumer_timeout).").trim();
        String tickBefore = rabbitmqctl("eval", "application:get_env(rabbit, channel_tick_interval).").trim();
        rabbitmqctl("eval", "application:set_env(rabbit, consumer_timeout, " + timeout.toMillis() + ").");
        rabbitmqctl("eval", "application:set_env(rabbit, channel_tick_interval, 1000).");
        return () -> {
            restoreEnv("channel_tick_interval", tickBefore);
            restoreEnv("consumer_timeout", before);
        };
    }

    /** Puts back a value {@code application:get_env} printed: {@code {ok,V}}, or {@code undefined}. */
    private static void restoreEnv(String key, String printed) {
        java.util.regex.Matcher value = java.util.regex.Pattern.compile("\\{ok,(\\w+)\\}").matcher(printed);
        rabbitmqctl("eval", value.matches() ? "application:set_env(rabbit, " + key + ", " + value.group(1) + ")."
                : "application:unset_env(rabbit, " + key + ").");
    }

    /** A broker fault in force until closed: closing it puts the broker back as it was. */
    public interface Fault extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The broker closes every client connection of that client-provided name (the server names
     * its connections {@code estate-chat}, {@code estate-chat-publish}, {@code estate-chat-N});
     * returns how many it closed.
     */
    public static int closeConnectionsNamed(String name, String reason) {
        java.util.regex.Pattern named = java.util.regex.Pattern.compile(
                "connection_name\\W+" + java.util.regex.Pattern.quote(name) + "[\"'>]");
        int closed = 0;
        for (String line : list("list_connections", "pid", "client_properties")) {
            if (named.matcher(line).find()) {
                rabbitmqctl("close_connection", line.trim().split("\t")[0].trim(), reason);
                closed++;
            }
        }
        return closed;
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
