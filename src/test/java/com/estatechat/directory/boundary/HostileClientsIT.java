package com.estatechat.directory.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ApiClient;
import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.UserDirectoryClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12, what an abusive client tries on one server: many connections, floods of bad frames and
 * empty acks; and the user directory that makes made-up ids harmless (sends to them:
 * {@link UnknownUsersIT}).
 */
@ExtendWith(ArquillianExtension.class)
class HostileClientsIT {

    private static final Map<String, String> ADMIN = Map.of("id", "ops", "role", "admin");
    private static final String EMPTY_ACK = "{\"type\":\"ack\",\"message_id\":\"01a2142a-7518-70a3-b309-f063dd4f40e4\"}";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("hostile", Map.of(
                "chat.session.max-per-user", "3",
                "chat.rate-limit.per-second", "1",
                "chat.rate-limit.burst", "5"));
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "hostile");
    }

    @Test
    void aProvisionedUserGetsWhatWasSentBeforeItsFirstConnectionAndItsRolesBroadcasts() {
        String tenant = user("tenant");
        assertThat(UserDirectoryClient.put(base(), tenant, "{\"role\":\"tenant\"}", ADMIN, Map.of()).statusCode())
                .isEqualTo(200);
        assertThat(UserDirectoryClient.put(base(), tenant, "{\"role\":\"tenant\"}", ADMIN, Map.of()).statusCode())
                .as("again: idempotent").isEqualTo(200);
        try (ChatClient admin = ChatClient.connect(base(), user("admin"), "admin")) {
            admin.sendMessage(tenant, "welcome", "w1");
            assertThat(admin.next("receipt").getString("status")).isEqualTo("queued");
            admin.sendMessage("role:tenant", "rent is due", "b1");
            assertThat(admin.next("receipt").getString("status")).isEqualTo("queued");
        }
        try (ChatClient t = ChatClient.connect(base(), tenant, "tenant")) {
            Set<String> texts = new HashSet<>();
            texts.add(t.receiveAndAck().getString("message"));
            texts.add(t.receiveAndAck().getString("message"));
            assertThat(texts).containsExactlyInAnyOrder("welcome", "rent is due");
        }
    }

    @Test
    void onlyAnAdminMayChangeUsersAndBadInputIsRefusedByStatus() {
        String someone = user("someone");
        assertThat(UserDirectoryClient.put(base(), someone, "{\"role\":\"tenant\"}",
                Map.of("id", user("landlord"), "role", "landlord"), Map.of()).statusCode()).isEqualTo(403);
        assertThat(UserDirectoryClient.put(base(), someone, "{\"role\":\"tenant\"}", Map.of(), Map.of()).statusCode())
                .as("none mode: no id given").isEqualTo(400);
        HttpResponse<String> badRole = UserDirectoryClient.put(base(), someone, "{\"role\":\"king\"}", ADMIN,
                Map.of());
        assertThat(badRole.statusCode()).isEqualTo(400);
        assertThat(badRole.body()).contains("role must be tenant, landlord or admin");
        assertThat(UserDirectoryClient.put(base(), someone, "not json", ADMIN, Map.of()).statusCode()).isEqualTo(400);
        assertThat(UserDirectoryClient.put(base(), "bad id!", "{\"role\":\"tenant\"}", ADMIN, Map.of())
                .statusCode()).isEqualTo(400);
        assertThat(UserDirectoryClient.delete(base(), someone, Map.of("id", someone, "role", "tenant")).statusCode())
                .isEqualTo(403);
    }

    /** Issue 22, item 2: the body used to be read whole (a String parameter) before the caller was checked. */
    @Test
    void aBodyIsNotReadBeforeTheCallerIsCheckedNorPastItsLimit() throws IOException {
        URI anonymous = ApiClient.uri(base(), "users/" + user("target"), Map.of());
        assertThat(statusOfAnUnfinishedPut(anonymous, 32L << 20)).as("no identity: refused unread").isEqualTo(400);
        URI tenant = ApiClient.uri(base(), "users/" + user("target"), Map.of("id", user("t"), "role", "tenant"));
        assertThat(statusOfAnUnfinishedPut(tenant, 32L << 20)).as("not an admin: refused unread").isEqualTo(403);
        URI admin = ApiClient.uri(base(), "users/" + user("target"), ADMIN);
        assertThat(statusOfAnUnfinishedPut(admin, 32L << 20)).as("an admin's body over the limit").isEqualTo(413);
    }

    /**
     * Announces {@code length} bytes of body, sends 64 KB of it and never the rest.
     *
     * @return the status the server answered with meanwhile; fails if none comes within 10 s
     */
    private static int statusOfAnUnfinishedPut(URI uri, long length) throws IOException {
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setSoTimeout(10_000);
            String head = "PUT " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: " + uri.getHost()
                    + ":" + uri.getPort() + "\r\nContent-Type: application/json\r\nContent-Length: " + length
                    + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[64 * 1024]);
            out.flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(status).as("a status line before the body ended").startsWith("HTTP/1.1 ");
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @Test
    void removingAUserClosesItsSessionsAndLaterSendsAreUnknownUser() {
        String leaving = user("leaving");
        UserDirectoryClient.provision(base(), leaving, "tenant");
        try (ChatClient gone = ChatClient.connect(base(), leaving);
                ChatClient sender = ChatClient.connect(base(), user("sender"))) {
            assertThat(UserDirectoryClient.delete(base(), leaving, ADMIN).statusCode()).isEqualTo(204);
            ChatClient.Closed closed = gone.awaitClosed();
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).isEqualTo("user removed");

            sender.sendMessage(leaving, "are you there?", "late");
            assertThat(sender.next("error").getString("code")).isEqualTo("unknown_user");
        }
        assertThat(UserDirectoryClient.delete(base(), leaving, ADMIN).statusCode()).as("again: idempotent")
                .isEqualTo(204);
    }

    /**
     * Issue 22, item 5: a message the erased user sent that still waited in another user's inbox is
     * delivered after the erasure, and its ack's history event carried it back into the store.
     */
    @Test
    void anErasedUsersMessageStillInAnInboxIsNotStoredAgainWhenAcked() {
        String erased = user("erased");
        String reader = user("reader");
        String witness = user("witness");
        UserDirectoryClient.provision(base(), reader, "tenant");
        try (ChatClient leaving = ChatClient.connect(base(), erased)) {
            assertThat(leaving.answerTo(reader, "my new phone number is …")).isEqualTo("queued");
        }
        assertThat(UserDirectoryClient.delete(base(), erased, ADMIN).statusCode()).isEqualTo(204);

        try (ChatClient reading = ChatClient.connect(base(), reader);
                ChatClient later = ChatClient.connect(base(), witness)) {
            assertThat(reading.receiveAndAck().getString("sender_id")).as("still delivered").isEqualTo(erased);
            assertThat(later.answerTo(reader, "after the erasure")).isEqualTo("queued");
            reading.receiveAndAck();
            // the history queue is applied in order: once the witness's message is stored, the ack before it was too
            Awaitility.await().atMost(ChatClient.WAIT).untilAsserted(() -> assertThat(peers(reader)).contains(witness));
            assertThat(peers(reader)).doesNotContain(erased);
        }
    }

    /** The peers of the user's stored conversations, as {@code GET /api/conversations} lists them. */
    private List<String> peers(String userId) {
        HttpResponse<String> response = ApiClient.get(base(), "conversations", Map.of("id", userId, "role", "tenant"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return jakarta.json.Json.createReader(new java.io.StringReader(response.body())).readObject()
                .getJsonArray("conversations").getValuesAs(jakarta.json.JsonObject.class).stream()
                .map(conversation -> conversation.getString("peer_id")).toList();
    }

    @Test
    void theConnectionPastTheLimitIsRefusedWith429BeforeTheUpgrade() {
        String greedy = user("greedy");
        List<ChatClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(ChatClient.connect(base(), greedy));
            }
            assertThat(ChatClient.refusedStatus(ChatClient.uri(base(), greedy, null), Map.of())).isEqualTo(429);
            open.remove(0).close();
            Awaitility.await().atMost(ChatClient.WAIT).ignoreExceptions()
                    .until(() -> open.add(ChatClient.connect(base(), greedy)));
        } finally {
            open.forEach(ChatClient::close);
        }
    }

    @Test
    void aFloodOfBadFramesAndEmptyAcksIsRateLimitedAcrossConnectionsThenClosed() {
        String flooder = user("flooder");
        try (ChatClient first = ChatClient.connect(base(), flooder);
                ChatClient second = ChatClient.connect(base(), flooder)) {
            List<String> codes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                first.sendRaw("{not json");
                codes.add(first.next("error").getString("code"));
            }
            for (int i = 0; i < 2; i++) { // the same user's budget, spent on another connection
                second.sendRaw(EMPTY_ACK);
                codes.add(second.next("error").getString("code"));
            }
            assertThat(codes).containsExactly("bad_json", "bad_json", "bad_json", "unknown_message",
                    "unknown_message");
            second.sendRaw(EMPTY_ACK);
            assertThat(second.next("error").getString("code")).isEqualTo("rate_limited");

            for (int i = 0; i < 15 && !second.isClosed(); i++) {
                try {
                    second.sendRaw("{not json");
                } catch (RuntimeException closedMeanwhile) {
                    break;
                }
            }
            ChatClient.Closed closed = second.awaitClosed();
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).isEqualTo("too many frames");
        }
    }
}
