package com.estatechat.dev;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.UserDirectoryClient;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, minus Maven: the {@link DevServer} launcher with its embedded Qpid
 * broker on a port of its own (so RabbitMQ on 5672 plays no part), run twice on one data
 * directory. A message to a user who is offline is accepted by the first run and delivered by the
 * second, and the sender's {@code delivered} receipt waits for it in turn. On the way, Qpid gets
 * no RabbitMQ queue argument, and an unreadable message still ends in the dead-letter queue.
 */
class EmbeddedRunIT {

    @Test
    void messageToAnOfflineUserSurvivesARestartOfTheDevelopmentRun() throws Exception {
        Path dataDir = Path.of("target", "embedded-run-it", UUID.randomUUID().toString().substring(0, 8));
        Path log = Files.createDirectories(dataDir.getParent()).resolve(dataDir.getFileName() + ".log");
        int httpPort = freePort();
        int brokerPort = freePort();
        String alice = user("alice");
        String bob = user("bob");
        URI root = URI.create("http://127.0.0.1:" + httpPort + "/");

        Process first = launch(httpPort, brokerPort, dataDir, log);
        String messageId;
        try {
            awaitReady(first, root, log);
            try (ChatClient a = ChatClient.connect(root, alice)) {
                // Qpid nacks what no inbox is bound for: no such user, and nothing is created
                a.sendMessage(user("nobody"), "anyone?", "c0");
                assertThat(a.next("error").getString("code")).isEqualTo("unknown_user");
                UserDirectoryClient.provision(root, bob, "tenant");
                a.sendMessage(bob, "Viewing moved to Friday", "c1");
                JsonObject queued = a.next("receipt");
                assertThat(queued.getString("status")).isEqualTo("queued");
                messageId = queued.getString("message_id");
            }
        } finally {
            stop(first);
        }
        String firstRun = Files.readString(log);
        assertThat(firstRun).contains("EMBEDDED AMQP BROKER").contains("FOR DEVELOPMENT ONLY")
                .contains("Estate Chat is ready").contains("ws://localhost:" + httpPort + "/ws?id=<user>")
                .contains("does not take RabbitMQ queue arguments");

        Process second = launch(httpPort, brokerPort, dataDir, log);
        try {
            awaitReady(second, root, log);
            ConnectionFactory amqp = new ConnectionFactory();
            amqp.setUri("amqp://guest:guest@127.0.0.1:" + brokerPort + "/%2F");
            try (Connection connection = amqp.newConnection(); Channel channel = connection.createChannel()) {
                // something the server cannot read: Qpid does not dead-letter a reject, so the server copies it
                channel.confirmSelect();
                channel.basicPublish("chat.direct", bob, MessageProperties.PERSISTENT_BASIC.builder()
                        .type("message").messageId("garbage-" + bob).build(), "not json".getBytes(StandardCharsets.UTF_8));
                channel.waitForConfirmsOrDie(10_000);

                try (ChatClient b = ChatClient.connect(root, bob)) {
                    JsonObject message = b.receiveAndAck();
                    assertThat(message.getString("message_id")).isEqualTo(messageId);
                    assertThat(message.getString("message")).isEqualTo("Viewing moved to Friday");
                    assertThat(message.getString("sender_id")).isEqualTo(alice);
                    b.expectNothingFor(Duration.ofSeconds(1));
                }
                GetResponse deadLetter = await().atMost(Duration.ofSeconds(10))
                        .until(() -> channel.basicGet("chat.dead-letter", true), response -> response != null
                                && ("garbage-" + bob).equals(response.getProps().getMessageId()));
                assertThat(new String(deadLetter.getBody(), StandardCharsets.UTF_8)).isEqualTo("not json");
                assertThat(channel.messageCount("chat.inbox." + bob)).as("bob's inbox is empty").isZero();
            }
            try (ChatClient a = ChatClient.connect(root, alice)) {
                JsonObject delivered = a.next(f -> "delivered".equals(f.getString("status", null)));
                assertThat(delivered.getString("message_id")).isEqualTo(messageId);
                assertThat(delivered.getString("client_msg_id")).isEqualTo("c1");
            }
        } finally {
            stop(second);
        }
    }

    private static Process launch(int httpPort, int brokerPort, Path dataDir, Path log) throws IOException {
        String classPath = System.getProperty("java.class.path");
        assertThat(classPath).as("the test class path holds the broker").contains("qpid-broker-core");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Djava.io.tmpdir=target",
                "-Dchat.http.port=" + httpPort,
                "-Dchat.amqp.url=embedded",
                "-Dchat.embedded.port=" + brokerPort,
                "-Dchat.embedded.data-dir=" + dataDir,
                "-Dchat.auth.mode=none",
                "-Dchat.allow-missing-origin=true",
                "-Ddev.war=target/estate-chat.war",
                "-Ddev.payara-micro-jar=" + System.getProperty("payara.microJar", "target/payara-micro.jar"),
                "-cp", classPath, DevServer.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().remove("CHAT_AMQP_URL");
        return builder.start();
    }

    private static void awaitReady(Process launcher, URI root, Path log) {
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    assertThat(launcher.isAlive()).as("the launcher runs; see %s", log).isTrue();
                    return http.send(HttpRequest.newBuilder(root.resolve("/health/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
    }

    /** SIGTERM, as Ctrl+C: the launcher stops Payara, then the broker, and exits. */
    private static void stop(Process launcher) throws InterruptedException {
        List<ProcessHandle> payara = launcher.descendants().toList();
        launcher.destroy();
        if (!launcher.waitFor(90, TimeUnit.SECONDS)) {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(payara).as("Payara Micro stopped with the launcher").noneMatch(ProcessHandle::isAlive);
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
