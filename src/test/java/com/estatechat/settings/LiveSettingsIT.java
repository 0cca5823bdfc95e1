package com.estatechat.settings;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.TestFiles;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.File;
import java.io.IOException;
import java.io.StringReader;
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
 * A live change reaches a connection that is already open, on the packaged WAR as an operator runs
 * it: Payara Micro with the shipped post-boot file, its live-settings lines switched on (a watched
 * directory, one file per key, above every other source). Each change must show within 10 s of the
 * file's write, which also proves that Payara's config cache (60 s unless the WAR says otherwise)
 * does not hide it. The WAR is the plain one, with its own defaults.
 */
class LiveSettingsIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Duration LIVE_WITHIN = Duration.ofSeconds(10);

    @Test
    void messageSizeAndRateLimitChangeOnAnOpenConnectionAndRestartKeysWaitNamed() throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "live-settings-it"));
        Path live = dir.resolve("live");
        TestFiles.deleteTree(live);
        Files.createDirectories(live);
        Path postBoot = dir.resolve("post-boot-commands.asadmin");
        Files.writeString(postBoot, Files.readString(Path.of("payara-config/post-boot-commands.asadmin"))
                .replace("# set-config-ordinal --source=secrets", "set-config-ordinal --source=secrets")
                .replace("# set configs.config.server-config.microprofile-config.secret-dir=/opt/payara/config/live",
                        "set configs.config.server-config.microprofile-config.secret-dir=" + live.toAbsolutePath()));
        assertThat(Files.readString(postBoot)).as("the shipped file has the lines to switch on")
                .contains("\nset-config-ordinal --source=secrets --ordinal=500")
                .contains("\nset configs.config.server-config.microprofile-config.secret-dir=/");

        try (PayaraMicroProcess server = new PayaraMicroProcess(plainWar("live-settings"))
                .withOptions("--postbootcommandfile", postBoot.toString())
                .withEnvironment("CHAT_AMQP_URL", System.getProperty("chat.test.amqp.url",
                        "amqp://guest:guest@127.0.0.1:5672"))
                .withEnvironment("CHAT_AMQP_EXCHANGE", "test.live." + RUN)
                .withEnvironment("CHAT_AMQP_INBOX_PREFIX", "test.live." + RUN + ".inbox.")
                .withEnvironment("CHAT_AMQP_DEAD_LETTER_EXCHANGE", "test.live." + RUN + ".dead-letter")
                .withEnvironment("CHAT_AUTH_MODE", "none")
                .withEnvironment("CHAT_ALLOW_MISSING_ORIGIN", "true")) {
            URI root = server.start();
            String alice = user("alice");
            String bob = user("bob");
            ChatClient.connect(root, bob).close(); // bob is known; he goes offline
            try (ChatClient a = ChatClient.open(ChatClient.uri(root, alice, null), alice)) {
                a.next("connected");
                String twenty = "twenty characters!!!";
                assertThat(a.answerTo(bob, twenty)).as("4000 characters by default").isEqualTo("queued");

                Files.writeString(live.resolve("chat.max-message-chars"), "10");
                await("chat.max-message-chars=10 on the open connection").atMost(LIVE_WITHIN)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> a.answerTo(bob, twenty).equals("too_large"));
                assertThat(a.answerTo(bob, "ten chars!")).isEqualTo("queued");

                assertThat(a.answersTo(bob, "hello", 3)).as("20 a second, 40 at once by default")
                        .containsOnly("queued");
                Files.writeString(live.resolve("chat.rate-limit.burst"), "2");
                Files.writeString(live.resolve("chat.rate-limit.per-second"), "1");
                // three frames at once: under a burst of 2 (the user's tokens are cut to it) the third is refused
                await("chat.rate-limit.* lowered on the open connection").atMost(LIVE_WITHIN)
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> a.answersTo(bob, "hello", 3).contains("rate_limited"));
                assertThat(a.isClosed()).as("the same connection all along").isFalse();

                // a key read only at start: named in the log once and listed in readiness, its secret never shown
                Files.writeString(live.resolve("chat.amqp.url"), "amqp://guest:top-secret-" + RUN + "@127.0.0.1:1");
                // three keys a hand-kept list had left out (issue 24): every key injected at start is one
                Files.writeString(live.resolve("chat.amqp.consumers-per-channel"), "10");
                Files.writeString(live.resolve("chat.delivery.persistent-receipts"), "false");
                Files.writeString(live.resolve("chat.delivery.max-receipts-per-message"), "2");
                await("the changed keys read only at start, pending a restart").atMost(LIVE_WITHIN)
                        .pollInterval(Duration.ofMillis(500)).until(() -> pendingRestart(root).equals(
                                "chat.amqp.consumers-per-channel, chat.amqp.url, chat.delivery.max-receipts-per-message,"
                                        + " chat.delivery.persistent-receipts"));
                assertThat(a.isClosed()).isFalse();
            }
            String log = Files.readString(server.log().toPath());
            assertThat(log).contains("chat.amqp.url changed in a config source").doesNotContain("top-secret-" + RUN)
                    .contains("Live settings changed (chat.max-message-chars)");
        }
    }

    private static String pendingRestart(URI root) throws IOException, InterruptedException {
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(root.resolve("/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonObject health = Json.createReader(new StringReader(ready.body())).readObject();
        return health.getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(check -> "settings".equals(check.getString("name")))
                .map(check -> check.getJsonObject("data").getString("pending_restart")).findFirst().orElse("no check");
    }

    private static WebArchive plainWar(String name) throws IOException {
        return ShrinkWrap.create(ZipImporter.class, name + ".war").importFrom(new File("target/estate-chat.war"))
                .as(WebArchive.class);
    }
}
