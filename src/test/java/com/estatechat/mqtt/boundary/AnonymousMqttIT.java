package com.estatechat.mqtt.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.mqtt.control.MqttPackets;
import com.estatechat.support.Deployments;
import com.estatechat.support.RawWebSocket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
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
 * the server buffer more of a frame than {@code chat.max-frame-bytes}: a larger one is refused from its header.
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

    /** Well before chat.mqtt.connect-timeout (2 s), whose close says 1008. */
    static final Duration BEFORE_THE_DEADLINE = Duration.ofMillis(1500);

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
    void aFrameAnnouncedFarOverTheFrameLimitIsRefusedFromItsHeader() {
        // announces 4 MB and sends 64 KB of it: the server used to buffer what came (up to 4,194,315
        // bytes, Tyrus's default) until the CONNECT deadline closed the socket with 1008
        try (RawWebSocket greedy = RawWebSocket.connect(mqttUri())) {
            greedy.sendStartOfFrame(RawWebSocket.BINARY, 4L << 20, new byte[64 * 1024]);
            assertThat(greedy.awaitCloseCode(BEFORE_THE_DEADLINE)).as("an over-size packet's code").isEqualTo(1009);
        }
    }

    @Test
    void aTextFrameIsRefusedFromItsHeaderWhateverItAnnounces() {
        try (RawWebSocket greedy = RawWebSocket.connect(mqttUri())) {
            greedy.sendStartOfFrame(RawWebSocket.TEXT, 4L << 20, new byte[64 * 1024]);
            assertThat(greedy.awaitCloseCode(BEFORE_THE_DEADLINE)).as("a text frame's code").isEqualTo(1003);
        }
    }

    @Test
    void aTextMessageIsRefusedAtItsFirstFragment() {
        // small fragments, never the last: the whole-message text handler used to collect them all
        try (RawWebSocket greedy = RawWebSocket.connect(mqttUri())) {
            greedy.send(false, RawWebSocket.TEXT, "x".repeat(1000).getBytes(StandardCharsets.UTF_8));
            assertThat(greedy.awaitCloseCode(BEFORE_THE_DEADLINE)).as("a text frame's code").isEqualTo(1003);
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
