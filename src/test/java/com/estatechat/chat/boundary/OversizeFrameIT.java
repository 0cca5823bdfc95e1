package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.RawWebSocket;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 22: a frame over {@code chat.max-frame-bytes} on {@code /ws} is refused from its header, with
 * the code it gets when it arrives whole (1009 for text, 1003 for binary), before the rest of it is
 * sent: the server holds no more of it than the limit. Each client sends only the start of a frame
 * announced as 4 MB, which Tyrus used to buffer (up to 4,194,315 bytes) while waiting for the rest.
 */
@ExtendWith(ArquillianExtension.class)
class OversizeFrameIT {

    static final int MAX_FRAME_BYTES = 4096;
    /** The server reads a header at once; the heartbeat's timeout, the only other close, is 75 s. */
    static final Duration FROM_THE_HEADER = Duration.ofSeconds(3);

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("oversize", Map.of("chat.max-frame-bytes", String.valueOf(MAX_FRAME_BYTES)));
    }

    @ArquillianResource
    URL base;

    private RawWebSocket raw(String userId) {
        RawWebSocket socket = RawWebSocket.connect(ChatClient.uri(Deployments.root(base, "oversize"), userId, null));
        assertThat(json(socket.nextText()).getString("type")).isEqualTo("connected");
        return socket;
    }

    @Test
    void aTextFrameAnnouncedFarOverTheLimitClosesWith1009FromItsHeader() {
        try (RawWebSocket greedy = raw(user("greedy"))) {
            greedy.sendStartOfFrame(RawWebSocket.TEXT, 4L << 20, "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8));
            assertThat(greedy.awaitCloseCode(FROM_THE_HEADER)).isEqualTo(1009);
        }
    }

    @Test
    void aBinaryFrameAnnouncedFarOverTheLimitClosesWith1003FromItsHeader() {
        try (RawWebSocket greedy = raw(user("greedy"))) {
            greedy.sendStartOfFrame(RawWebSocket.BINARY, 4L << 20, new byte[64 * 1024]);
            assertThat(greedy.awaitCloseCode(FROM_THE_HEADER)).isEqualTo(1003);
        }
    }

    @Test
    void aContinuationOfTextOverTheLimitClosesWith1009() {
        try (RawWebSocket greedy = raw(user("greedy"))) {
            greedy.send(false, RawWebSocket.TEXT, "{\"target_id\":\"bob\",\"message\":\"".getBytes(StandardCharsets.UTF_8));
            greedy.sendStartOfFrame(RawWebSocket.CONTINUATION, 4L << 20, new byte[64 * 1024]);
            assertThat(greedy.awaitCloseCode(FROM_THE_HEADER)).isEqualTo(1009);
        }
    }

    @Test
    void aFrameOfExactlyTheLimitIsReadAndAnswered() {
        try (RawWebSocket client = raw(user("exact"))) {
            String prefix = "{\"target_id\":\"bob\",\"message\":\"";
            client.sendText(prefix + "x".repeat(MAX_FRAME_BYTES - prefix.length() - 2) + "\"}");
            // over chat.max-message-chars, within the frame limit: an error frame, and the connection stays
            assertThat(json(client.nextText()).getString("code")).isEqualTo("too_large");
            assertThat(client.isClosed()).isFalse();
        }
    }

    private static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }
}
