package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ApiClient;
import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.RawWebSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 22's attacks together, against one server, while two users chat: anonymous {@code /mqtt}
 * sockets that announce 4 MB frames or never sign in, a user polling its history, a sender filling
 * an away user's inbox, a frame flood, and over-size frames on {@code /ws}. Each attack is refused
 * at its own bound, and the pair's every message is queued, delivered once and receipted. How much
 * the attacks slow the pair is a figure for the bench, not an assertion here.
 */
@ExtendWith(ArquillianExtension.class)
class HostileMixIT {

    static final String NAME = "hostilemix";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat(NAME, Map.of(
                "chat.mqtt.connect-timeout", "2s",
                "chat.inbox.max-per-sender", "5",
                "chat.history.read-limit.in-flight", "2",
                "chat.history.read-limit.per-second", "2",
                "chat.history.read-limit.burst", "4"));
    }

    @ArquillianResource
    URL base;

    private URI base() {
        return Deployments.root(base, NAME);
    }

    @Test
    void everyAttackIsRefusedAtItsBoundWhileAPairChatsUndisturbed() throws Exception {
        String away = user("away");
        ChatClient.connect(base(), away).close(); // known, and offline: its inbox fills
        List<RawWebSocket> anonymous = new ArrayList<>();
        try (ChatClient alice = ChatClient.connect(base(), user("alice"));
                ChatClient bob = ChatClient.connect(base(), user("bob"));
                ChatClient mallory = ChatClient.connect(base(), user("mallory"));
                RawWebSocket flood = RawWebSocket.connect(ChatClient.uri(base(), user("flood"), null));
                RawWebSocket oversize = RawWebSocket.connect(ChatClient.uri(base(), user("big"), null))) {
            CompletableFuture<List<String>> chat = CompletableFuture.supplyAsync(() -> HostileInputIT.chat(alice, bob, 20));

            URI mqtt = URI.create(base().toString().replaceFirst("^http", "ws") + "mqtt");
            for (int i = 0; i < 20; i++) {
                RawWebSocket greedy = RawWebSocket.connect(mqtt);
                greedy.sendStartOfFrame(RawWebSocket.BINARY, 4L << 20, new byte[64 * 1024]);
                anonymous.add(greedy);
                anonymous.add(RawWebSocket.connect(mqtt)); // says nothing
            }
            HttpRequest poll = HttpRequest.newBuilder(ApiClient.uri(base(), "conversations",
                    Map.of("id", user("poller"), "role", "tenant"))).timeout(Duration.ofSeconds(30)).GET().build();
            List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                polls.add(HTTP.sendAsync(poll, HttpResponse.BodyHandlers.ofString()));
            }
            List<String> filling = mallory.answersTo(away, "fill", 8);
            try {
                oversize.sendText("x".repeat(1 << 20));
            } catch (java.io.UncheckedIOException refusedFromItsHeader) {
                // closed before the whole frame was written
            }
            try {
                for (int i = 0; i < 2000 && !flood.isClosed(); i++) {
                    flood.sendText("{\"target_id\":\"" + away + "\",\"message\":\"flood\"}");
                }
            } catch (java.io.UncheckedIOException closedUnderTheFlood) {
                // the server closed it while frames were still going out
            }

            assertThat(chat.get(60, TimeUnit.SECONDS)).as("what went wrong for the chatting pair").isEmpty();
            assertThat(filling).as("mallory's answers: its share of the away inbox is 5")
                    .containsExactly("queued", "queued", "queued", "queued", "queued",
                            "inbox_full", "inbox_full", "inbox_full");
            List<Integer> statuses = polls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();
            assertThat(statuses).as("the poller's answers").containsOnly(200, 429).contains(429);
            assertThat(oversize.awaitCloseCode()).as("a 1 MB frame on /ws").isEqualTo(1009);
            Awaitility.await("the frame flood closed").atMost(Duration.ofSeconds(15)).until(flood::isClosed);
            Awaitility.await("every anonymous /mqtt socket closed (1009 from its header, 1008 at the deadline)")
                    .atMost(Duration.ofSeconds(15)).until(() -> anonymous.stream().allMatch(RawWebSocket::isClosed));
            assertThat(anonymous.stream().map(socket -> socket.awaitCloseCode(Duration.ofSeconds(1))).distinct())
                    .as("their close codes").containsOnly(1008, 1009);
        } finally {
            anonymous.forEach(RawWebSocket::close);
        }
    }
}
