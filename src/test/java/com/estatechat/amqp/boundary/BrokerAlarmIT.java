package com.estatechat.amqp.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.RabbitMqNode;
import com.estatechat.support.ServerMetrics;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A RabbitMQ resource alarm (issue 21, defect 1): the broker stops reading from publishing
 * connections until it clears. A send the server wrote before it learnt of the alarm is answered
 * {@code queued} once the broker confirms it, however long that takes, and never {@code unavailable}
 * (it is delivered once the alarm clears); a send made after the server saw {@code connection.blocked}
 * is refused at once, never written, with a hint of when to retry. The alarms are real (rabbitmqctl),
 * and each is cleared in a finally, whatever the test's outcome.
 */
@ExtendWith(ArquillianExtension.class)
class BrokerAlarmIT {

    static final String NAME = "alarm";
    /** Short, so that a timer that turned a written send into a refusal would fire well within the alarm. */
    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(2);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat(NAME, Map.of("chat.amqp.confirm-timeout", CONFIRM_TIMEOUT.toSeconds() + "s"));
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, NAME);
    }

    @Test
    void sendsWrittenDuringAMemoryAlarmAreQueuedWhenItClearsAndNoneIsRefusedThenDelivered() {
        sendsDuringAnAlarmAreAnsweredTruthfully(RabbitMqNode::memoryAlarm);
    }

    @Test
    void sendsWrittenDuringADiskAlarmAreQueuedWhenItClearsAndNoneIsRefusedThenDelivered() {
        sendsDuringAnAlarmAreAnsweredTruthfully(RabbitMqNode::diskAlarm);
    }

    @Test
    void sendsAfterTheServerSawTheAlarmAreRefusedWithinASecondWithARetryHint() throws Exception {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            assertThat(a.answerTo(bob, "before the alarm")).isEqualTo("queued");
            b.receiveAndAck();
            Map<String, JsonObject> probeAnswer = new LinkedHashMap<>();
            try (RabbitMqNode.Fault alarm = RabbitMqNode.memoryAlarm()) {
                // the broker blocks a connection once it publishes during the alarm: this send makes it so
                a.sendMessage(bob, "the probe", "probe");
                await().atMost(Duration.ofSeconds(20)).until(() -> blocked() == 1.0);
                assertThat(readiness()).contains("blocked");
                for (int i = 0; i < 5; i++) {
                    long start = System.nanoTime();
                    a.sendMessage(bob, "while blocked " + i, "blocked-" + i);
                    JsonObject answer = a.next(f -> f.getString("client_msg_id", "").startsWith("blocked-"));
                    Duration waited = Duration.ofNanos(System.nanoTime() - start);
                    assertThat(answer.getString("type")).as("answer to a send while blocked: %s", answer)
                            .isEqualTo("error");
                    assertThat(answer.getString("code")).isEqualTo("unavailable");
                    assertThat(answer.getJsonNumber("retry_after_ms").longValue()).isPositive();
                    assertThat(waited).as("time to answer a send while blocked").isLessThan(Duration.ofSeconds(1));
                }
            }
            probeAnswer.put("probe", a.next(f -> "probe".equals(f.getString("client_msg_id", null))));
            assertThat(probeAnswer.get("probe").getString("status", "error " + probeAnswer.get("probe")))
                    .as("the probe was written before the server knew: it waits for its confirm")
                    .isEqualTo("queued");
            assertThat(b.receiveAndAck().getString("message")).isEqualTo("the probe");
            await().atMost(Duration.ofSeconds(20)).until(() -> blocked() == 0.0);
            assertThat(a.answerTo(bob, "after the alarm")).isEqualTo("queued");
            assertThat(b.receiveAndAck().getString("message")).isEqualTo("after the alarm");
            b.expectNothingFor(Duration.ofSeconds(1));
        }
    }

    /**
     * Ten sends go out as the alarm starts, and the alarm lasts well past the confirm timeout. Each
     * is answered; those answered {@code queued} are delivered, and those refused never are.
     */
    private void sendsDuringAnAlarmAreAnsweredTruthfully(Supplier<RabbitMqNode.Fault> raise) {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            assertThat(a.answerTo(bob, "before the alarm")).isEqualTo("queued");
            b.receiveAndAck();
            List<String> sent = new ArrayList<>();
            try (RabbitMqNode.Fault alarm = raise.get()) {
                for (int i = 0; i < 10; i++) {
                    sent.add("during-" + i);
                    a.sendMessage(bob, "during the alarm " + i, "during-" + i);
                }
                // the alarm outlasts three confirm timeouts, and the server has seen it by then
                await().pollDelay(CONFIRM_TIMEOUT.multipliedBy(3)).atMost(Duration.ofSeconds(30))
                        .until(() -> blocked() == 1.0);
            }
            Set<String> queued = new HashSet<>();
            Map<String, String> refused = new LinkedHashMap<>();
            for (String id : sent) {
                JsonObject answer = a.next(f -> id.equals(f.getString("client_msg_id", null)));
                if ("receipt".equals(answer.getString("type"))) {
                    assertThat(answer.getString("status")).isEqualTo("queued");
                    queued.add(id);
                } else {
                    refused.put(id, answer.getString("code"));
                }
            }
            assertThat(refused.values()).as("refusals").allMatch("unavailable"::equals);
            Set<String> delivered = new HashSet<>();
            for (int i = 0; i < queued.size(); i++) {
                delivered.add(b.receiveAndAck().getString("message").replace("during the alarm ", "during-"));
            }
            assertThat(delivered).as("delivered").isEqualTo(queued);
            // a refused send must never arrive: wait past the moment it would have
            b.expectNothingFor(CONFIRM_TIMEOUT.multipliedBy(2));
        }
    }

    private double blocked() {
        return ServerMetrics.read(base()).getOrDefault("chat_broker_blocked", -1.0);
    }

    private String readiness() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(base().resolve("/health/ready")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
