package com.estatechat.mqtt.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.mqtt.control.MqttPackets;
import com.estatechat.support.Deployments;
import com.estatechat.support.RawWebSocket;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 22, item 1: what a client that never authenticates can make the server hold on {@code /mqtt}.
 * It cannot keep a socket past {@code chat.mqtt.connect-timeout} however it trickles its bytes, nor make
 * the container buffer an unfinished frame much larger than {@code chat.max-frame-bytes}.
 */
@ExtendWith(ArquillianExtension.class)
class AnonymousMqttIT {

    static final String NAME = "anonymousmqtt";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat(NAME, Map.of(
                "chat.auth.mode", "jwt",
                "chat.auth.jwt.secret", MqttIT.SECRET,
                "chat.allowed-origins", "*",
                "chat.mqtt.connect-timeout", "2s"));
    }

    @ArquillianResource
    URL base;

    private URI mqttUri() {
        return MqttChatClient.uri(Deployments.root(base, NAME));
    }

    @Test
    void aClientThatTricklesItsConnectIsClosedAtTheDeadline() throws InterruptedException {
        byte[] connect = MqttPackets.connect("slow-client-" + "x".repeat(40), "slow", "not-a-token", 0xC0, 30);
        try (RawWebSocket slow = RawWebSocket.connect(mqttUri())) {
            long opened = System.nanoTime();
            // one byte of CONNECT in a frame every 200 ms, never the last: each frame used to restart the idle timeout
            for (int i = 0; i < connect.length - 1 && !slow.isClosed(); i++) {
                slow.send(true, RawWebSocket.BINARY, Arrays.copyOfRange(connect, i, i + 1));
                Thread.sleep(200); // the client's pace, not a wait for the server
            }
            assertThat(slow.awaitCloseCode()).isEqualTo(1008);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).as("closed at the deadline (2 s)")
                    .isBetween(Duration.ofMillis(1500), Duration.ofSeconds(5));
        }
    }

    @Test
    void aSocketThatSendsNothingIsClosedAtTheDeadline() {
        try (RawWebSocket idle = RawWebSocket.connect(mqttUri())) {
            long opened = System.nanoTime();
            assertThat(idle.awaitCloseCode()).isEqualTo(1008);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void anUnfinishedFrameFarOverTheFrameLimitIsHeldNoLongerThanTheDeadline() {
        // announces 4 MB, sends 1 MB, never the rest: Tyrus holds it (up to 4,194,315 bytes per socket,
        // its default) until the socket is closed, and the CONNECT deadline closes it
        try (RawWebSocket greedy = RawWebSocket.connect(mqttUri())) {
            long opened = System.nanoTime();
            greedy.sendStartOfFrame(RawWebSocket.BINARY, 4L << 20, new byte[1 << 20]);
            assertThat(greedy.awaitCloseCode()).isEqualTo(1008);
            assertThat(Duration.ofNanos(System.nanoTime() - opened)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void framesOfTheLargestAllowedSizeBackToBackAreNotRefused() throws Exception {
        String alice = Deployments.user("alice");
        try (RawWebSocket client = RawWebSocket.connect(mqttUri())) {
            client.send(true, RawWebSocket.BINARY, MqttIT.connectPacket(alice, MqttIT.token(alice), 30));
            assertThat(client.pollText(Duration.ofSeconds(15))).as("CONNACK").isNotNull();
            // fixed header 4 bytes, topic 10, packet id 2
            byte[] largest = MqttPackets.publish("chat/out", 1, 1, "x".repeat(65_536 - 16));
            assertThat(largest).hasSize(65_536);
            for (int i = 0; i < 3; i++) {
                client.send(true, RawWebSocket.BINARY, largest);
            }
            // refused by the relay (not JSON: an error each, the connection stays), never by the container
            Awaitility.await("open after three frames of chat.max-frame-bytes").during(2, TimeUnit.SECONDS)
                    .atMost(4, TimeUnit.SECONDS).until(() -> !client.isClosed());
        }
    }

    @Test
    void aConnectedClientIsNotClosedByTheDeadline() throws Exception {
        String alice = Deployments.user("alice");
        try (RawWebSocket client = RawWebSocket.connect(mqttUri())) {
            client.send(true, RawWebSocket.BINARY, MqttIT.connectPacket(alice, MqttIT.token(alice), 30));
            assertThat(client.pollText(Duration.ofSeconds(15))).as("CONNACK").isNotNull();
            Awaitility.await("open past the deadline").during(3, TimeUnit.SECONDS).atMost(5, TimeUnit.SECONDS)
                    .until(() -> !client.isClosed());
        }
    }
}
