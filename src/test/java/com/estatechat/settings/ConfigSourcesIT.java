package com.estatechat.settings;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.PayaraMicroProcess;
import jakarta.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

/**
 * The operator's ways to configure the packaged WAR, each proved by its effect on a running Payara
 * Micro: a key in the post-boot asadmin file (Payara's domain config, as the admin console sets
 * it), one in a system-properties file, one in an environment variable. The files are the shipped
 * ones from {@code payara-config/} with a test line added, so they are proved valid too. The WAR
 * is the plain one, without the test config jar (whose ordinal would hide these sources).
 */
class ConfigSourcesIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void postBootFileSystemPropertiesAndEnvironmentEachTakeEffect() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "config-sources-it"));
        Path postBoot = dir.resolve("post-boot-commands.asadmin");
        Files.writeString(postBoot, Files.readString(Path.of("payara-config/post-boot-commands.asadmin"))
                + "\nset-config-property --source=domain --propertyName=chat.max-message-chars --propertyValue=10\n");
        Path systemProperties = dir.resolve("chat.properties");
        Files.writeString(systemProperties, Files.readString(Path.of("payara-config/chat.properties"))
                + "\nchat.heartbeat.interval=7s\n");

        try (PayaraMicroProcess server = new PayaraMicroProcess(plainWar("config-sources"))
                .withOptions("--postbootcommandfile", postBoot.toString(),
                        "--systemproperties", systemProperties.toString(),
                        "--logproperties", "payara-config/logging-json.properties")
                .withEnvironment("CHAT_AMQP_URL", System.getProperty("chat.test.amqp.url",
                        "amqp://guest:guest@127.0.0.1:5672"))
                .withEnvironment("CHAT_AMQP_EXCHANGE", "test.config." + RUN)
                .withEnvironment("CHAT_AMQP_INBOX_PREFIX", "test.config." + RUN + ".inbox.")
                .withEnvironment("CHAT_AMQP_DEAD_LETTER_EXCHANGE", "test.config." + RUN + ".dead-letter")
                .withEnvironment("CHAT_AUTH_MODE", "none")
                .withEnvironment("CHAT_ALLOW_MISSING_ORIGIN", "true")
                .withEnvironment("CHAT_MAX_FRAME_BYTES", "1024")) {
            URI root = server.start();
            String alice = user("alice");
            String bob = user("bob");
            ChatClient.connect(root, bob).close(); // bob is known; he goes offline
            try (ChatClient a = ChatClient.open(ChatClient.uri(root, alice, null), alice)) {
                // system property (from the --systemproperties file)
                JsonObject connected = a.next();
                assertThat(connected.getInt("heartbeat_s")).as("chat.heartbeat.interval from the properties file")
                        .isEqualTo(7);

                // post-boot asadmin file (domain config source)
                a.sendMessage(bob, "eleven char", "long");
                JsonObject tooLarge = a.next();
                assertThat(tooLarge.getString("code")).as("chat.max-message-chars from the post-boot file")
                        .isEqualTo("too_large");
                a.sendMessage(bob, "ten chars!", "fits");
                JsonObject queued = a.next("receipt");
                assertThat(queued.getString("status")).as("CHAT_AMQP_URL from the environment").isEqualTo("queued");

                // environment variable: a frame over CHAT_MAX_FRAME_BYTES closes the connection with 1009
                a.sendRaw("{\"target_id\":\"" + bob + "\",\"message\":\"" + "x".repeat(2000) + "\"}");
                assertThat(a.awaitClosed().code()).as("chat.max-frame-bytes from the environment").isEqualTo(1009);
            }
            assertThat(Files.readAllLines(server.log().toPath())).as("JSON logging from logging-json.properties")
                    .anyMatch(line -> line.startsWith("{") && line.contains("com.estatechat"));
        }
    }

    @Test
    void warDeployedAloneWithTheEmbeddedDefaultIsLiveButNotReadyAndSaysWhy() throws Exception {
        try (PayaraMicroProcess server = new PayaraMicroProcess(plainWar("alone"))
                .withEnvironment("CHAT_AUTH_MODE", "none")) {
            URI root = server.start("/health/live");
            HttpResponse<String> ready = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(root.resolve("/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("chat.amqp.url").contains("embedded");
            assertThat(Files.readString(server.log().toPath())).contains("SEVERE")
                    .contains("chat.amqp.url is 'embedded'");
        }
    }

    private static WebArchive plainWar(String name) throws IOException {
        return ShrinkWrap.create(ZipImporter.class, name + ".war").importFrom(new File("target/estate-chat.war"))
                .as(WebArchive.class);
    }
}
