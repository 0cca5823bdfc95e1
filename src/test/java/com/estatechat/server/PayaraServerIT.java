package com.estatechat.server;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.chat.entity.ErrorCode;
import com.estatechat.support.ChatClient;
import com.estatechat.support.LandlordAndTenant;
import com.estatechat.support.PostgresStore;
import com.estatechat.support.RabbitMqNode;
import com.estatechat.support.ServerMetrics;
import com.estatechat.webapp.HeadlessChromium;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The operator's day on a full Payara Server: a domain of its own, the {@code chat.*} keys set in
 * the domain config source with {@code asadmin set-config-property}, the PostgreSQL driver, pool and
 * JDBC resource added with asadmin, {@code asadmin deploy}; then a chat, and an undeploy and deploy
 * that leave nothing of the old deployment behind (no consumer, channel or connection in the broker,
 * no {@code chat-*} thread); last, a key added in the admin console (headless Chromium) that the next
 * deployment reads. Runs with {@code mvn -Ppayara-server verify}, which unpacks Payara
 * Server from Maven Central and sets {@code payara.server.home}; skipped otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayaraServerIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String PREFIX = "test.payara-server." + RUN;
    private static final Path WAR = Path.of("target", "estate-chat.war");
    private static final Pattern CHAT_THREAD = Pattern.compile("^Thread \"(chat-[^\"]*)\"", Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static PayaraDomain domain;
    private static PostgresStore store;

    @BeforeAll
    static void createConfigureAndDeploy() throws IOException {
        String home = System.getProperty("payara.server.home");
        Assumptions.assumeTrue(home != null, "Payara Server runs with -Ppayara-server only");
        store = new PostgresStore();
        timed("create-domain", () -> domain = PayaraDomain.create(Path.of(home), "estate-chat"));
        timed("start-domain", domain::start);

        List<String> commands = new ArrayList<>();
        commands.add("add-library " + Path.of("target", "postgresql.jar").toAbsolutePath());
        commands.addAll(store.asadminCommands());
        Map<String, String> settings = new TreeMap<>(Map.of(
                "chat.amqp.url", System.getProperty("chat.test.amqp.url", "amqp://guest:guest@127.0.0.1:5672"),
                "chat.amqp.exchange", PREFIX,
                "chat.amqp.inbox-prefix", PREFIX + ".inbox.",
                "chat.amqp.dead-letter-exchange", PREFIX + ".dead-letter",
                "chat.history.queue", PREFIX + ".history",
                // not used while chat.history.datasource is set; under target/ should it ever be
                "chat.history.embedded-path", Path.of("target", "history", "payara-server-" + RUN).toAbsolutePath()
                        .toString(),
                "chat.auth.mode", "none",
                "chat.auth.none.allow-remote", "true",
                "chat.allow-missing-origin", "true"));
        settings.putAll(store.settings());
        settings.forEach((key, value) -> commands.add(
                "set-config-property --source=domain --propertyName=" + key + " --propertyValue=" + value));
        Path file = Path.of("target", "payara-server", "estate-chat-" + RUN + ".asadmin");
        Files.writeString(file, String.join("\n", commands) + "\n");
        timed("configure (" + commands.size() + " asadmin commands)", () -> domain.asadminFile(file));

        timed("deploy", () -> domain.asadmin("deploy", WAR.toAbsolutePath().toString()));
        awaitReady();
    }

    @AfterAll
    static void stopDomain() {
        if (domain != null) {
            timed("stop-domain", domain::stop);
        }
        if (store != null) {
            store.close();
        }
    }

    private static URI app() {
        return domain.http().resolve("/estate-chat/");
    }

    @Test
    @Order(1)
    void deployedByAsadminIsReadyOnTheDomainsStoreWithEveryChatMetric() {
        HttpResponse<String> ready = get(domain.http().resolve("/health/ready"));
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains(store.settings().get("chat.history.datasource"));

        Map<String, Double> metrics = ServerMetrics.read(app());
        assertThat(metrics).containsEntry("chat_sessions_open", 0.0).containsKeys("chat_messages_accepted_total",
                "chat_messages_delivered_total", "chat_messages_redelivered_total", "chat_receipts_dropped_total",
                "chat_publish_confirm_seconds_count", "chat_history_written_total", "chat_history_lag_seconds_count",
                "chat_history_reads_refused_total", "chat_inbox_share_refused_total");
        for (ErrorCode code : ErrorCode.values()) {
            assertThat(metrics).containsKey("chat_errors_total{code=\"" + code.wireName() + "\"}");
        }
    }

    @Test
    @Order(2)
    void messageTravelsWithBothReceiptsAndLandsInPostgres() {
        try (LandlordAndTenant chat = LandlordAndTenant.connect(app())) {
            String id = chat.messageTravelsWithBothReceipts();

            String bob = chat.tenant().userId();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
                    .untilAsserted(() -> assertThat(store.rows(id)).anySatisfy(
                            row -> assertThat(row).startsWith(bob + " ").contains(LandlordAndTenant.TEXT)
                                    .endsWith(" true false")));
        }
    }

    @Test
    @Order(3)
    void redeployLeavesNothingOfTheOldDeploymentBehind() {
        String alice = user("alice");
        String bob = user("bob");
        ChatClient.connect(app(), bob).close(); // bob is known (has an inbox), then offline
        Set<Integer> ports;
        try (ChatClient a = ChatClient.connect(app(), alice)) {
            a.sendMessage(bob, "sent before the redeploy", "r1");
            assertThat(a.next("receipt").getString("status")).isEqualTo("queued");

            ports = brokerPorts();
            assertThat(ports).as("the deployment's AMQP connections, by local port").isNotEmpty();
            assertThat(brokerListsPorts("list_connections", ports)).isNotEmpty();
            assertThat(brokerListsPorts("list_channels", ports)).isNotEmpty();
            assertThat(consumers()).contains(PREFIX + ".history", PREFIX + ".inbox." + alice);
            assertThat(chatThreads()).isNotEmpty();

            timed("undeploy", () -> domain.asadmin("undeploy", "estate-chat"));
            assertThat(a.awaitClosed().code()).as("undeploy closes sessions with 1001").isEqualTo(1001);
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(chatThreads()).as("chat-* threads in the domain's JVM").isEmpty();
            assertThat(brokerPorts()).as("the domain's TCP connections to the broker").isEmpty();
            assertThat(brokerListsPorts("list_connections", ports)).as("broker connections").isEmpty();
            assertThat(brokerListsPorts("list_channels", ports)).as("broker channels").isEmpty();
            assertThat(consumers()).as("consumers on this run's queues").isEmpty();
        });

        timed("deploy again", () -> domain.asadmin("deploy", WAR.toAbsolutePath().toString()));
        awaitReady();
        try (ChatClient b = ChatClient.connect(app(), bob)) {
            assertThat(b.receiveAndAck().getString("message")).isEqualTo("sent before the redeploy");
            assertThat(ServerMetrics.sessionsOpen(app())).as("the gauge is the new deployment's").isEqualTo(1.0);
        }
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).untilAsserted(
                () -> assertThat(consumers()).as("one history writer, the new deployment's")
                        .containsOnlyOnce(PREFIX + ".history"));
    }

    /**
     * A key set where an operator sets it by hand, the admin console's MicroProfile → Config →
     * Property page (source "domain"), lands in the same place as {@code set-config-property}; the
     * running application takes a live key within 10 s, without a redeploy (on a domain where the
     * operator set nothing about Payara's config cache), and a redeployed one reads it too.
     */
    @Test
    @Order(4)
    void aKeyAddedInTheAdminConsoleTakesEffectOnTheRunningApplication() {
        Assumptions.assumeTrue(HeadlessChromium.installed(), "chromium and chromedriver are installed by .ci/run");
        assertThat(heartbeatSeconds()).as("the WAR's default chat.heartbeat.interval").isEqualTo(30);

        ChromeDriver browser = HeadlessChromium.start("payara-console");
        try {
            AdminConsole console = new AdminConsole(browser, domain.admin());
            timed("admin console's first page", console::open);
            console.screenshot("payara-console-1-home");
            console.openConfigProperties();
            console.screenshot("payara-console-2-config-properties");
            console.addProperty("chat.heartbeat.interval", "20s");
            console.screenshot("payara-console-3-added");
            console.save();
            console.screenshot("payara-console-4-saved");
            assertThat(console.lists("chat.heartbeat.interval", "20s")).isTrue();
        } finally {
            browser.quit();
        }

        assertThat(domain.asadmin("get-config-property", "--source=domain", "--propertyName=chat.heartbeat.interval"))
                .as("the console writes where set-config-property does").contains("20s");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(heartbeatSeconds()).as("the running deployment takes the live key").isEqualTo(20));
        timed("redeploy", () -> domain.asadmin("redeploy", "--name=estate-chat", WAR.toAbsolutePath().toString()));
        awaitReady();
        assertThat(heartbeatSeconds()).as("the next deployment reads the console's value").isEqualTo(20);
    }

    /**
     * The incident case on Payara Server: an operator lowers the message size and the rate limit
     * with {@code asadmin set-config-property}; an open connection is held to them within 10 s,
     * without a redeploy and without reconnecting.
     */
    @Test
    @Order(5)
    void messageSizeAndRateLimitSetWithAsadminReachAnOpenConnectionWithin10Seconds() {
        String alice = user("alice");
        String bob = user("bob");
        ChatClient.connect(app(), bob).close(); // known, then offline
        try (ChatClient a = ChatClient.connect(app(), alice)) {
            String twenty = "twenty characters!!!";
            assertThat(a.answerTo(bob, twenty)).isEqualTo("queued");
            domain.asadmin("set-config-property", "--source=domain", "--propertyName=chat.max-message-chars",
                    "--propertyValue=10");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> a.answerTo(bob, twenty).equals("too_large"));

            assertThat(a.answersTo(bob, "hello", 3)).containsOnly("queued");
            domain.asadmin("set-config-property", "--source=domain", "--propertyName=chat.rate-limit.burst",
                    "--propertyValue=2");
            domain.asadmin("set-config-property", "--source=domain", "--propertyName=chat.rate-limit.per-second",
                    "--propertyValue=1");
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1500))
                    .until(() -> a.answersTo(bob, "hello", 3).contains("rate_limited"));
            assertThat(a.isClosed()).as("the same connection all along").isFalse();
        }
    }

    /** The heartbeat interval a new connection is told in its {@code connected} frame. */
    private static int heartbeatSeconds() {
        String id = user("probe");
        try (ChatClient probe = ChatClient.open(ChatClient.uri(app(), id, null), id)) {
            return probe.next("connected").getInt("heartbeat_s");
        }
    }

    private static void awaitReady() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(() -> get(domain.http().resolve("/health/ready")).statusCode() == 200);
    }

    private static HttpResponse<String> get(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The queues of this run that have a consumer, once per consumer. */
    private static List<String> consumers() {
        return RabbitMqNode.list("list_consumers", "queue_name").stream().map(String::trim)
                .filter(queue -> queue.startsWith(PREFIX)).toList();
    }

    /** What the broker lists (connections, channels) whose name starts with one of these client ports. */
    private static List<String> brokerListsPorts(String command, Set<Integer> ports) {
        return RabbitMqNode.list(command, "name").stream()
                .filter(name -> ports.stream().anyMatch(port -> name.matches("\\S+:" + port + " -> .*")))
                .toList();
    }

    /** The local ports of the domain JVM's TCP connections to the broker (port 5672), from {@code ss}. */
    private static Set<Integer> brokerPorts() {
        Pattern socket = Pattern.compile("\\S+:(\\d+)\\s+\\S+:5672\\s+.*pid=" + domain.pid() + ",");
        return run("ss", "-Htnp", "state", "established", "( dport = :5672 )").lines().map(socket::matcher)
                .filter(Matcher::find).map(found -> Integer.valueOf(found.group(1))).collect(Collectors.toSet());
    }

    /** The names of the {@code chat-*} threads in the domain's JVM, from the thread dump asadmin gives. */
    private static List<String> chatThreads() {
        return CHAT_THREAD.matcher(domain.asadmin("generate-jvm-report", "--type=thread")).results()
                .map(thread -> thread.group(1)).toList();
    }

    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finishes", List.of(command)).isTrue();
            assertThat(process.exitValue()).as("%s exits with 0: %s", List.of(command), output).isZero();
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs an operator's step and prints how long it took (the report's timings). */
    private static void timed(String step, Runnable action) {
        long start = System.nanoTime();
        action.run();
        System.out.printf("PayaraServerIT: %s took %.1f s%n", step, (System.nanoTime() - start) / 1e9);
    }
}
