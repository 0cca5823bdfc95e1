package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.ServerMetrics;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Heartbeats, with short intervals: dead peers are dropped, live ones are kept. */
@ExtendWith(ArquillianExtension.class)
class HeartbeatIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("heartbeat", Map.of(
                "chat.heartbeat.interval", "500ms",
                "chat.heartbeat.timeout", "2s"));
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, "heartbeat");
    }

    @Test
    void silentClientIsClosedAndItsUnackedMessageComesAgain() {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient silentBob = ChatClient.connect(base(), bob)) {
            a.sendMessage(bob, "are you there?", null);
            String id = a.next("receipt").getString("message_id");
            assertThat(silentBob.next("message").getString("message_id")).isEqualTo(id);

            double open = ServerMetrics.sessionsOpen(base());
            silentBob.goSilent(); // no acks, no pongs: a peer whose network died

            // the server gives up on it (the close frame waits in the socket until bob reads again)
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                    .until(() -> ServerMetrics.sessionsOpen(base()) == open - 1);
            // and its unacked message went back to the inbox: it comes again on the next connection
            try (ChatClient laptop = ChatClient.connect(base(), bob)) {
                JsonObject again = laptop.next("message");
                assertThat(again.getString("message_id")).isEqualTo(id);
                assertThat(again.getBoolean("redelivered")).isTrue();
            }
            // reading again, bob finds his connection closed by the server: either the 1001 close
            // frame, or (when the JDK client first answers the queued pings) a write on a closed output
            silentBob.resume();
            ChatClient.Closed closed = silentBob.awaitClosed();
            if (closed.code() == 1001) {
                assertThat(closed.reason()).contains("heartbeat");
            } else {
                assertThat(closed.reason()).contains("closed output");
            }
        }
    }

    @Test
    void clientThatAnswersPingsStaysConnected() {
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient a = ChatClient.connect(base(), alice); ChatClient b = ChatClient.connect(base(), bob)) {
            // well past the 2 s timeout, with no frame from the clients: only pongs keep them
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8)).until(() -> !a.isClosed() && !b.isClosed());
            a.sendMessage(bob, "still connected", null);
            assertThat(a.next("receipt").getString("status")).isEqualTo("queued");
            assertThat(b.receiveAndAck().getString("message")).isEqualTo("still connected");
        }
    }
}
