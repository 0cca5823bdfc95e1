package com.estatechat.history.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every device in sync, on the embedded conversation store (the WAR's default): a device that was
 * away names the last message it has and gets, from the store, what the user received and sent
 * meanwhile, including what another device already acked, marked {@code synced}. Its history
 * queue was declared before with other arguments: the server uses it as it is.
 */
@ExtendWith(ArquillianExtension.class)
class DeviceSyncIT {

    @Deployment(testable = false)
    static WebArchive deployment() throws Exception {
        // the history queue exists already, declared with other arguments (an earlier dead-letter setting):
        // the server warns and uses it as it is, instead of never consuming it
        String historyQueue = "test.sync." + UUID.randomUUID().toString().substring(0, 8) + ".history";
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(System.getProperty("chat.test.amqp.url", "amqp://guest:guest@127.0.0.1:5672"));
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare(historyQueue, true, false, false, Map.of("x-dead-letter-exchange", "elsewhere"));
        }
        return Deployments.chat("sync", Map.of("chat.history.sync-limit", "3", "chat.history.batch-wait", "10ms",
                "chat.history.queue", historyQueue));
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "sync");
    }

    private static void sync(ChatClient device, String since) {
        device.send(Json.createObjectBuilder().add("type", "sync").add("since", since).build());
    }

    /** The synced messages of one answer, up to its closing {@code synced} frame. */
    private static List<JsonObject> answer(ChatClient device, List<JsonObject> into) {
        while (true) {
            JsonObject frame = device.next(f -> "synced".equals(f.getString("type")) || f.getBoolean("synced", false));
            if ("synced".equals(frame.getString("type"))) {
                return List.of(frame);
            }
            into.add(frame);
        }
    }

    @Test
    void aDeviceThatWasAwayGetsWhatAnotherDeviceAckedAndWhatTheUserSentFromIt() {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient phone = ChatClient.connect(base(), bob)) {
            a.sendMessage(bob, "before", null);
            String seen = phone.receiveAndAck().getString("message_id");

            // the laptop is away: the phone reads and answers
            List<String> missed = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                a.sendMessage(bob, "while away " + i, null);
                missed.add(phone.receiveAndAck().getString("message_id"));
            }
            phone.sendMessage(alice, "answered from the phone", "phone-1");
            missed.add(phone.next(f -> "queued".equals(f.getString("status", null))).getString("message_id"));

            try (ChatClient laptop = ChatClient.connect(base(), bob)) {
                List<JsonObject> synced = new ArrayList<>();
                // the store lags the live path by a batch: ask until the first page is whole
                await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(300)).until(() -> {
                    synced.clear();
                    sync(laptop, seen);
                    JsonObject done = answer(laptop, synced).get(0);
                    return done.getInt("count") == 3 && done.getBoolean("more");
                });
                assertThat(synced).extracting(f -> f.getString("message_id")).containsExactlyElementsOf(missed.subList(0, 3));
                assertThat(synced).allSatisfy(f -> {
                    assertThat(f.getString("type")).isEqualTo("message");
                    assertThat(f.getString("sender_id")).isEqualTo(alice);
                    assertThat(f.getString("status")).isIn("delivered", "queued");
                });
                assertThat(synced.get(0).getString("message")).isEqualTo("while away 0");

                // the next page, from the last one synced: what bob sent from the phone
                List<JsonObject> rest = new ArrayList<>();
                sync(laptop, missed.get(2));
                JsonObject done = answer(laptop, rest).get(0);
                assertThat(done.getInt("count")).isEqualTo(1);
                assertThat(done.getBoolean("more")).isFalse();
                assertThat(done.getString("last_message_id")).isEqualTo(missed.get(3));
                assertThat(rest).singleElement().satisfies(f -> {
                    assertThat(f.getString("sender_id")).isEqualTo(bob);
                    assertThat(f.getString("target_id")).isEqualTo(alice);
                    assertThat(f.getString("client_msg_id")).isEqualTo("phone-1");
                });

                // nothing after the last: an empty answer; a bad since: bad_frame, and the connection stays
                List<JsonObject> none = new ArrayList<>();
                sync(laptop, missed.get(3));
                assertThat(answer(laptop, none).get(0).getInt("count")).isZero();
                laptop.send(Json.createObjectBuilder().add("type", "sync").add("since", "yesterday").build());
                assertThat(laptop.next("error").getString("code")).isEqualTo("bad_frame");
                laptop.expectNothingFor(Duration.ofMillis(300));
            }
        }
    }
}
