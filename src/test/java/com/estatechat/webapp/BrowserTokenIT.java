package com.estatechat.webapp;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.estatechat.support.Deployments;
import com.estatechat.support.UserDirectoryClient;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The page in mode jwt, in headless chromium against the WAR: the token travels as a subprotocol,
 * is renewed in place before it expires, and an expired one makes the page ask for a new token
 * instead of reconnecting with the old one for ever. It needs the server to select
 * {@code estate-chat.v1} from the offered subprotocols (a browser fails a handshake in which the
 * server selects none of those offered); without that its tests are reported as skipped.
 */
@ExtendWith(ArquillianExtension.class)
class BrowserTokenIT {

    private static final String NAME = "browser-token";
    private static final String SECRET = "integration-test-hs256-browser-0123456789";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat(NAME, Map.of(
                "chat.auth.mode", "jwt",
                "chat.auth.jwt.secret", SECRET,
                "chat.allow-missing-origin", "false"));
    }

    @ArquillianResource
    URL base;

    private URI page() {
        return Deployments.root(base, NAME);
    }

    private static String token(String subject, Instant expiry) throws Exception {
        return token(subject, "tenant", expiry);
    }

    private static String token(String subject, String role, Instant expiry) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject)
                .claim("role", role).expirationTime(Date.from(expiry)).build());
        jwt.sign(new MACSigner(SECRET));
        return jwt.serialize();
    }

    @BeforeEach
    void theServerSelectsTheSubprotocolAndChromiumIsInstalled() throws Exception {
        assumeTrue(HeadlessChromium.installed(), "chromium and chromedriver are installed by .ci/run");
        URI socket = URI.create(page().toString().replaceFirst("^http", "ws") + "ws");
        String answer;
        try {
            CompletableFuture<String> first = new CompletableFuture<>();
            WebSocket probe = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("Origin", page().getScheme() + "://" + page().getAuthority())
                    .subprotocols("estate-chat.v1", "bearer." + token(user("probe"), Instant.now().plusSeconds(60)))
                    .buildAsync(socket, new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            first.complete(data.toString());
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
                            first.complete("closed " + code + " " + reason);
                            return null;
                        }
                    }).orTimeout(15, TimeUnit.SECONDS).join();
            // admitted, not only upgraded: the connected frame comes
            answer = "selected '" + probe.getSubprotocol() + "', then "
                    + first.completeOnTimeout("nothing", 15, TimeUnit.SECONDS).join();
            probe.abort();
        } catch (CompletionException e) {
            answer = "refused (" + e.getCause() + ")";
        }
        assumeTrue(answer.startsWith("selected 'estate-chat.v1', then {") && answer.contains("\"connected\""),
                "the server must select estate-chat.v1 and admit the token in bearer.<token>; it " + answer);
    }

    @Test
    void theTokenIsRenewedInPlaceAndTheConnectionOutlivesTheFirstOne() throws Exception {
        String alice = user("alice");
        try (ChatPage page = ChatPage.open("token-renewal", page())) {
            // long enough for a handshake on a busy machine, short enough to outlive it in the test
            Instant first = Instant.now().plusSeconds(20);
            page.signInWithToken(token(alice, first));
            // less than a minute left: the page asks at once, while still connected
            page.awaitTokenPrompt("Your access token expires at");
            assertThat(page.connectionState()).isEqualTo("open");
            page.screenshot("token-1-asked-before-expiry");

            page.giveToken(token(alice, Instant.now().plus(Duration.ofMinutes(10)))).awaitNotice("Access token renewed.");
            assertThat(page.tokenPromptShown()).isFalse();
            await().atMost(Duration.ofSeconds(40)).until(() -> Instant.now().isAfter(first.plusSeconds(2))
                    && "open".equals(page.connectionState()));
            String bob = user("bob");
            assertThat(UserDirectoryClient.put(page(), bob, "{\"role\":\"tenant\"}", Map.of(),
                    Map.of("Authorization", "Bearer " + token(user("ada"), "admin", Instant.now().plusSeconds(60))))
                    .statusCode()).as("provisioning bob").isEqualTo(200);
            page.startConversation(bob).send("Still connected").awaitStatus("Still connected", "queued");
            page.screenshot("token-2-renewed-in-place");
        }
    }

    @Test
    void anExpiredTokenMakesThePageAskForANewOneInsteadOfReconnecting() throws Exception {
        String alice = user("alice");
        try (ChatPage page = ChatPage.open("token-expired", page())) {
            page.signInWithToken(token(alice, Instant.now().plusSeconds(15)));
            page.awaitTokenPrompt("Your access token has expired.").awaitConnection("unauthorized");
            // no reconnection with the old token
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> "unauthorized".equals(page.connectionState()));
            page.screenshot("token-3-expired");

            page.giveToken(token(user("mallory"), Instant.now().plusSeconds(600)))
                    .awaitTokenError("This token is for another user.");

            page.giveToken(token(alice, Instant.now().plusSeconds(600))).awaitConnection("open");
            assertThat(page.tokenPromptShown()).isFalse();
            page.screenshot("token-4-back");
        }
    }
}
