package com.estatechat.history.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ApiClient;
import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13's REST API on Payara Micro: users chat over {@code /ws}, then a new device with nothing
 * of its own reads their conversations from the store (which lags the chat by a batch, hence the
 * waits), page by page and with each message's status; nobody else sees them, an admin may.
 */
@ExtendWith(ArquillianExtension.class)
class ConversationsIT {

    private static final Map<String, String> ADMIN = Map.of("id", "ops", "role", "admin");

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("conversations", Map.of());
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "conversations");
    }

    private static Map<String, String> as(String userId) {
        return Map.of("id", userId, "role", "tenant");
    }

    private HttpResponse<String> get(String path, Map<String, String> caller, Map<String, String> parameters) {
        Map<String, String> query = new HashMap<>(caller);
        query.putAll(parameters);
        return ApiClient.get(base(), path, query);
    }

    private JsonObject ok(String path, Map<String, String> caller, Map<String, String> parameters) {
        HttpResponse<String> response = get(path, caller, parameters);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    private JsonObject conversations(String viewer) {
        return ok("conversations", as(viewer), Map.of());
    }

    private JsonObject messages(String viewer, String peer, Map<String, String> paging) {
        return ok("conversations/" + URLEncoder.encode(peer, StandardCharsets.UTF_8) + "/messages", as(viewer),
                paging);
    }

    private static List<String> ids(JsonObject page) {
        return page.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(message -> message.getString("message_id")).toList();
    }

    private static List<String> statuses(JsonObject page) {
        return page.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(message -> message.getString("status")).toList();
    }

    /** Sends and waits for the {@code queued} receipt; returns the message id. */
    private static String send(ChatClient from, String to, String text, String clientMsgId) {
        from.sendMessage(to, text, clientMsgId);
        JsonObject queued = from.next(frame -> "receipt".equals(frame.getString("type", null))
                && "queued".equals(frame.getString("status", null))
                && clientMsgId.equals(frame.getString("client_msg_id", null)));
        return queued.getString("message_id");
    }

    /** Sends, the recipient receives and acks, the sender gets {@code delivered}; returns the message id. */
    private static String sendAndDeliver(ChatClient from, ChatClient to, String text, String clientMsgId) {
        String messageId = send(from, to.userId(), text, clientMsgId);
        JsonObject message = to.receiveAndAck();
        assertThat(message.getString("message_id")).isEqualTo(messageId);
        from.next(frame -> "receipt".equals(frame.getString("type", null))
                && "delivered".equals(frame.getString("status", null))
                && messageId.equals(frame.getString("message_id", null)));
        return messageId;
    }

    @Test
    void aNewDeviceReadsTheWholeConversationWithStatusesPageByPageAndNobodyElseSeesIt() {
        String alice = user("alice");
        String bob = user("bob");
        String dave = user("dave");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            String first = sendAndDeliver(a, b, "is the flat still free?", "a1");
            String second = sendAndDeliver(a, b, "I could come on Monday", "a2");
            String answer = sendAndDeliver(b, a, "yes, Monday at 10", "b1");
            String third = send(a, bob, "see you then", "a3");
            b.next("message"); // and never acked: queued

            // the new device: nothing but its user's identity
            Awaitility.await().atMost(ChatClient.WAIT).ignoreExceptions().untilAsserted(() -> assertThat(
                    messages(alice, bob, Map.of()).getJsonArray("messages")).hasSize(4));
            JsonObject list = conversations(alice);
            assertThat(list.getJsonArray("conversations")).hasSize(1);
            JsonObject withBob = list.getJsonArray("conversations").getJsonObject(0);
            assertThat(withBob.getString("peer_id")).isEqualTo(bob);
            assertThat(withBob.getJsonObject("last_message").getString("message_id")).isEqualTo(third);
            assertThat(withBob.getInt("unread")).as("bob's answer was delivered, not read").isEqualTo(1);

            JsonObject all = messages(alice, bob, Map.of());
            assertThat(ids(all)).containsExactly(third, answer, second, first);
            assertThat(statuses(all)).containsExactly("queued", "delivered", "delivered", "delivered");
            assertThat(all.getBoolean("more")).isFalse();
            JsonObject newest = all.getJsonArray("messages").getJsonObject(0);
            assertThat(newest.getString("sender_id")).isEqualTo(alice);
            assertThat(newest.getString("sender_role")).isEqualTo("tenant");
            assertThat(newest.getString("target_id")).isEqualTo(bob);
            assertThat(newest.getString("message")).isEqualTo("see you then");
            assertThat(newest.getString("client_msg_id")).isEqualTo("a3");
            assertThat(newest.getString("sent_at")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(newest.containsKey("delivered_at")).isFalse();
            assertThat(all.getJsonArray("messages").getJsonObject(1).getString("delivered_at")).endsWith("Z");

            JsonObject page1 = messages(alice, bob, Map.of("limit", "2"));
            assertThat(ids(page1)).containsExactly(third, answer);
            assertThat(page1.getBoolean("more")).isTrue();
            JsonObject page2 = messages(alice, bob, Map.of("limit", "2", "before", answer));
            assertThat(ids(page2)).containsExactly(second, first);
            assertThat(page2.getBoolean("more")).isFalse();
            assertThat(ids(messages(bob, alice, Map.of()))).as("bob's side")
                    .containsExactly(third, answer, second, first);

            assertThat(conversations(dave).getJsonArray("conversations")).isEmpty();
            assertThat(messages(dave, alice, Map.of()).getJsonArray("messages")).isEmpty();
            assertThat(messages(dave, bob, Map.of()).getJsonArray("messages")).isEmpty();
        }
    }

    @Test
    void aReadFrameMarksTheMessagesReadAndClearsTheUnreadCount() {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            String one = sendAndDeliver(b, a, "the boiler is broken", "b1");
            String two = sendAndDeliver(b, a, "since this morning", "b2");
            Awaitility.await().atMost(ChatClient.WAIT).ignoreExceptions().untilAsserted(() -> assertThat(
                    conversations(alice).getJsonArray("conversations").getJsonObject(0).getInt("unread")).isEqualTo(2));

            a.send(Json.createObjectBuilder().add("type", "read").add("message_id", two).build());
            JsonObject receipt = b.next(frame -> "read".equals(frame.getString("status", null)));
            assertThat(receipt.getString("message_id")).isEqualTo(two);

            Awaitility.await().atMost(ChatClient.WAIT).ignoreExceptions().untilAsserted(() -> assertThat(
                    statuses(messages(alice, bob, Map.of()))).containsExactly("read", "read"));
            assertThat(conversations(alice).getJsonArray("conversations").getJsonObject(0).getInt("unread"))
                    .isZero();
            JsonObject seenByBob = messages(bob, alice, Map.of()).getJsonArray("messages").getJsonObject(0);
            assertThat(seenByBob.getString("status")).isEqualTo("read");
            assertThat(seenByBob.getString("read_at")).endsWith("Z");
        }
    }

    @Test
    void anAdminReadsAnyConversationATenantMayNot() {
        String alice = user("alice");
        String bob = user("bob");
        Map<String, String> aliceWithBob = Map.of("user", alice, "peer", bob);
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            String sent = sendAndDeliver(a, b, "the rent is paid", "a1");
            Awaitility.await().atMost(ChatClient.WAIT).ignoreExceptions().untilAsserted(() -> assertThat(
                    statuses(ok("admin/conversations", ADMIN, aliceWithBob))).containsExactly("delivered"));
            assertThat(ids(ok("admin/conversations", ADMIN, aliceWithBob))).containsExactly(sent);
        }
        HttpResponse<String> tenant = get("admin/conversations", as(alice), aliceWithBob);
        assertThat(tenant.statusCode()).isEqualTo(403);
        assertThat(tenant.body()).contains("\"error\":\"forbidden\"");
        assertThat(get("admin/conversations", ADMIN, Map.of("peer", bob)).statusCode()).as("no user").isEqualTo(400);
        assertThat(get("admin/conversations", ADMIN, Map.of("user", alice)).statusCode()).as("no peer").isEqualTo(400);
        assertThat(get("admin/conversations", ADMIN, Map.of("user", "bad id!", "peer", bob)).statusCode())
                .isEqualTo(400);
    }

    @Test
    void badParametersAndCallersWithoutIdentityAreRefused() {
        String alice = user("alice");
        for (Map<String, String> paging : List.of(Map.of("limit", "0"), Map.of("limit", "201"),
                Map.of("limit", "ten"), Map.of("before", "not-a-message-id"),
                Map.of("before", "01A2142A-7518-70A3-B309-F063DD4F40E4"))) {
            HttpResponse<String> refused = get("conversations/bob/messages", as(alice), paging);
            assertThat(refused.statusCode()).as(paging.toString()).isEqualTo(400);
            assertThat(refused.body()).contains("\"error\":\"bad_request\"");
        }
        assertThat(get("conversations/" + URLEncoder.encode("role:king", StandardCharsets.UTF_8) + "/messages",
                as(alice), Map.of()).statusCode()).isEqualTo(400);
        assertThat(get("conversations/bad%20id!/messages", as(alice), Map.of()).statusCode()).isEqualTo(400);
        assertThat(get("conversations/bob/messages", as(alice), Map.of("limit", "200")).statusCode()).isEqualTo(200);
        assertThat(get("conversations", Map.of(), Map.of()).statusCode()).as("none mode: no id").isEqualTo(400);
    }
}
