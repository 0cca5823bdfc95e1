package com.estatechat.directory.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12's first finding, at scale: a signed-in user sending to thousands of made-up ids (the
 * rate limit set out of the way) gets {@code unknown_user} for each, and the broker holds not one
 * queue more.
 */
@ExtendWith(ArquillianExtension.class)
class UnknownUsersIT {

    private static final int SENDS = 2000;
    private static final String PREFIX = "test.unknown." + java.util.UUID.randomUUID().toString().substring(0, 8)
            + ".inbox.";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("unknown", Map.of(
                "chat.amqp.inbox-prefix", PREFIX,
                "chat.rate-limit.per-second", "100000",
                "chat.rate-limit.burst", "100000"));
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "unknown");
    }

    @Test
    void thousandsOfSendsToMadeUpIdsAreEachUnknownUserAndCreateNoQueue() throws Exception {
        String mallory = user("mallory");
        List<String> madeUp = new ArrayList<>();
        Map<String, Integer> answers = new TreeMap<>();
        try (ChatClient m = ChatClient.connect(base(), mallory)) {
            for (int i = 0; i < SENDS; i++) {
                String target = user("nobody" + i);
                madeUp.add(target);
                m.sendMessage(target, "hello?", "c" + i);
            }
            for (int i = 0; i < SENDS; i++) {
                JsonObject answer = m.next();
                answers.merge(answer.getString("code", answer.getString("status", "?")), 1, Integer::sum);
            }
        }
        assertThat(answers).isEqualTo(Map.of("unknown_user", SENDS));
        try (Connection broker = new ConnectionFactory().newConnection("unknown-users-check")) {
            for (String target : madeUp) {
                assertThat(inboxExists(broker, PREFIX + target)).as("inbox of " + target).isFalse();
            }
            assertThat(inboxExists(broker, PREFIX + mallory)).as("the sender's own inbox").isTrue();
        }
    }

    private static boolean inboxExists(Connection broker, String queue) throws Exception {
        try (Channel channel = broker.createChannel()) {
            channel.queueDeclarePassive(queue);
            return true;
        } catch (IOException e) {
            return false; // 404: the failed passive declare closed the channel
        }
    }
}
