package com.estatechat.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The local RabbitMQ node, stopped and started with {@code rabbitmqctl stop_app} / {@code start_app}:
 * every client connection is closed by the broker, and durable queues with their persistent
 * messages come back from disk, as after a broker restart.
 */
final class RabbitMqNode {

    private RabbitMqNode() {
    }

    static void stopApp() {
        rabbitmqctl("stop_app");
    }

    /** Starts the broker application and waits until it accepts connections. */
    static void startApp() {
        rabbitmqctl("start_app");
        rabbitmqctl("await_startup");
    }

    private static void rabbitmqctl(String... arguments) {
        List<String> command = new ArrayList<>(List.of("rabbitmqctl"));
        command.addAll(List.of(arguments));
        try {
            Path log = Files.createDirectories(Path.of("target", "chaos-reports")).resolve("rabbitmqctl.log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in 120 s; see " + log);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command + " exited with " + process.exitValue() + "; see " + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
