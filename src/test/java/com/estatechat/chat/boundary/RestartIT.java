package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import jakarta.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The server stops (SIGTERM: Payara undeploys the app) while a sender is mid-burst and the
 * recipient holds unacked messages, then starts again. Every message that got a {@code queued}
 * receipt reaches the recipient after the restart, and the shutdown closes sessions with 1001.
 */
class RestartIT {

    @Test
    void restartWithMessagesInFlightLosesNothingAccepted() {
        String alice = user("alice");
        String bob = user("bob");
        List<String> queued = new ArrayList<>();
        Set<String> heldUnacked = new HashSet<>();
        try (PayaraMicroProcess server = new PayaraMicroProcess(Deployments.chat("restart",
                Map.of("chat.rate-limit.burst", "1000", "chat.rate-limit.per-second", "1000")))) {
            URI root = server.start();
            try (ChatClient a = ChatClient.connect(root, alice); ChatClient b = ChatClient.connect(root, bob)) {
                for (int i = 0; i < 10; i++) {
                    a.sendMessage(bob, "before " + i, null);
                    queued.add(a.next("receipt").getString("message_id"));
                }
                for (int i = 0; i < 10; i++) {
                    heldUnacked.add(b.next("message").getString("message_id"));
                }
                for (int i = 0; i < 200; i++) {
                    a.sendMessage(bob, "burst " + i, null);
                }
                CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
                ChatClient.Closed closed = a.awaitClosed();
                stopping.join();
                assertThat(closed.code()).as("sessions close with 1001 at shutdown").isEqualTo(1001);
                int notices = 0;
                while (a.hasQueuedFrames()) {
                    JsonObject frame = a.next();
                    if ("receipt".equals(frame.getString("type"))) {
                        assertThat(frame.getString("status")).isEqualTo("queued");
                        queued.add(frame.getString("message_id"));
                    } else if ("going_away".equals(frame.getString("type"))) {
                        notices++;
                    } else {
                        assertThat(frame.getString("code")).isEqualTo("unavailable");
                    }
                }
                assertThat(notices).as("going_away before the close").isEqualTo(1);
            }
            assertThat(queued).hasSizeGreaterThan(10);

            root = server.start();
            Set<String> received = new HashSet<>();
            try (ChatClient b = ChatClient.connect(root, bob)) {
                while (!received.containsAll(queued)) {
                    JsonObject message = b.receiveAndAck();
                    String id = message.getString("message_id");
                    assertThat(received.add(id)).as("no message comes twice after the restart").isTrue();
                    if (heldUnacked.contains(id)) {
                        assertThat(message.getBoolean("redelivered")).isTrue();
                    }
                }
            }
        }
    }
}
