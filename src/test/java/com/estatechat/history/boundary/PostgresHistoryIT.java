package com.estatechat.history.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.UserDirectoryClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The conversation store on a real PostgreSQL, set up the way an operator does on Payara: the
 * driver added to the server ({@code --addlibs}), a connection pool and a JDBC resource created by
 * asadmin commands at boot, and {@code chat.history.datasource} naming the resource. Each message,
 * delivery and read lands in the database once, and the sender gets {@code queued},
 * {@code delivered} and {@code read} receipts.
 */
class PostgresHistoryIT {

    private static final String DATABASE = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static final String SCHEMA = "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private static final String RESOURCE = "jdbc/estate-chat-it";

    private static PayaraMicroProcess server;
    private static URI root;

    @BeforeAll
    static void start() throws Exception {
        try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + SCHEMA);
        }
        server = new PayaraMicroProcess(Deployments.chat("history-pg", Map.of("chat.history.datasource", RESOURCE)))
                .withOptions("--addlibs", Path.of("target", "postgresql.jar").toString(),
                        "--postbootcommandfile", postBootCommands().toString());
        root = server.start();
    }

    /** What the README tells an operator to run (payara-config/post-boot-commands.asadmin), for a test schema. */
    private static Path postBootCommands() throws IOException {
        Path file = Path.of("target", "payara-process", "history-pg-post-boot.asadmin");
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n",
                "create-jdbc-connection-pool --datasourceclassname=org.postgresql.ds.PGSimpleDataSource"
                        + " --restype=javax.sql.DataSource --property=serverName=127.0.0.1:portNumber=5432"
                        + ":databaseName=postgres:user=postgres:password=unused:currentSchema=" + SCHEMA + " estate-chat-it-pool",
                "create-jdbc-resource --connectionpoolid=estate-chat-it-pool " + RESOURCE, ""));
        return file;
    }

    @AfterAll
    static void stop() throws SQLException {
        if (server != null) {
            server.stop();
        }
        try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    /** The rows of a message: recipient, status, delivered_at set, read_at set. */
    private static List<String> rows(String messageId) throws SQLException {
        try (Connection connection = DriverManager.getConnection(DATABASE + "?currentSchema=" + SCHEMA, "postgres", "");
                PreparedStatement query = connection.prepareStatement("SELECT recipient_id, status, body,"
                        + " delivered_at IS NOT NULL, read_at IS NOT NULL FROM chat_message WHERE message_id = ?"
                        + " ORDER BY recipient_id")) {
            query.setString(1, messageId);
            List<String> rows = new ArrayList<>();
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    rows.add(result.getString(1) + " " + result.getInt(2) + " " + result.getString(3) + " "
                            + result.getBoolean(4) + " " + result.getBoolean(5));
                }
            }
            return rows;
        }
    }

    @Test
    void messagesDeliveriesAndReadsAreRecordedOnceAndTheSenderGetsEveryReceipt() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient b = ChatClient.connect(root, bob); ChatClient a = ChatClient.connect(root, alice)) {
            a.sendMessage(bob, "first", "c-1");
            String first = a.next("receipt").getString("message_id");
            a.sendMessage(bob, "second", "c-2");
            String second = a.next("receipt").getString("message_id");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(rows(first)).containsExactly(bob + " 1 first false false");
                assertThat(rows(second)).containsExactly(bob + " 1 second false false");
            });

            assertThat(b.receiveAndAck().getString("message_id")).isEqualTo(first);
            assertThat(b.receiveAndAck().getString("message_id")).isEqualTo(second);
            assertThat(a.next(frame -> "delivered".equals(frame.getString("status", null))).getString("message_id"))
                    .isEqualTo(first);
            assertThat(a.next(frame -> "delivered".equals(frame.getString("status", null))).getString("message_id"))
                    .isEqualTo(second);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(rows(second)).containsExactly(bob + " 2 second true false"));

            // reading the second reads the first too; the sender is told about the one named
            b.send(Json.createObjectBuilder().add("type", "read").add("message_id", second).build());
            JsonObject read = a.next(frame -> "read".equals(frame.getString("status", null)));
            assertThat(read.getString("message_id")).isEqualTo(second);
            assertThat(read.getString("target_id")).isEqualTo(bob);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(rows(first)).containsExactly(bob + " 3 first true true");
                assertThat(rows(second)).containsExactly(bob + " 3 second true true");
            });

            // a read of a message this user never received is refused by name
            a.send(Json.createObjectBuilder().add("type", "read").add("message_id", second).build());
            JsonObject refused = a.next("error");
            assertThat(refused.getString("code")).isEqualTo("unknown_message");
            assertThat(refused.getString("message_id")).isEqualTo(second);
        }
    }

    @Test
    void removingAUserDeletesWhatItSentAndReceived() throws Exception {
        String carol = user("carol");
        String dave = user("dave");
        String erin = user("erin");
        String toDave;
        String toCarol;
        String fromErin;
        try (ChatClient c = ChatClient.connect(root, carol); ChatClient d = ChatClient.connect(root, dave);
                ChatClient e = ChatClient.connect(root, erin)) {
            c.sendMessage(dave, "to dave", null);
            toDave = c.next("receipt").getString("message_id");
            d.sendMessage(carol, "to carol", null);
            toCarol = d.next("receipt").getString("message_id");
            e.sendMessage(carol, "from erin", null);
            fromErin = e.next("receipt").getString("message_id");
        }
        String[] all = {toDave, toCarol, fromErin};
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            for (String id : all) {
                assertThat(rows(id)).hasSize(1);
            }
        });
        assertThat(UserDirectoryClient.delete(root, dave, Map.of("id", "test-admin", "role", "admin")).statusCode())
                .isEqualTo(204);
        assertThat(rows(toDave)).isEmpty();
        assertThat(rows(toCarol)).isEmpty();
        assertThat(rows(fromErin)).as("others' conversations stay").hasSize(1);
    }
}
