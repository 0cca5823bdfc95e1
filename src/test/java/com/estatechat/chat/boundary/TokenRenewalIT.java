package com.estatechat.chat.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code auth} frame on the deployed WAR in mode jwt: a client renews its token in place, and
 * the session then lives until the new token's expiry; a token of another user ends it.
 */
@ExtendWith(ArquillianExtension.class)
class TokenRenewalIT {

    private static final String NAME = "renewal";
    private static final String SECRET = "integration-test-hs256-renewal-0123456789";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat(NAME, Map.of(
                "chat.auth.mode", "jwt",
                "chat.auth.jwt.secret", SECRET,
                "chat.allow-missing-origin", "true"));
    }

    @ArquillianResource
    URL base;

    private URI ws() {
        return URI.create(Deployments.root(base, NAME).toString().replaceFirst("^http", "ws") + "ws");
    }

    private static String token(String subject, Instant expiry, String secret) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject)
                .claim("role", "tenant").expirationTime(Date.from(expiry)).build());
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    private ChatClient connect(String userId, Instant expiry) throws Exception {
        return ChatClient.connect(ws(), userId, "tenant", Map.of("Authorization", "Bearer " + token(userId, expiry, SECRET)));
    }

    private static void renew(ChatClient client, String token) {
        client.send(Json.createObjectBuilder().add("type", "auth").add("access_token", token).build());
    }

    @Test
    void aRenewedSessionOutlivesItsFirstTokenWhileAnUnrenewedOneEnds() throws Exception {
        Instant soon = Instant.now().plusSeconds(4).truncatedTo(ChronoUnit.SECONDS);
        Instant later = Instant.now().plus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS);
        String alice = user("alice");
        String bob = user("bob");
        try (ChatClient renewed = connect(alice, soon); ChatClient unrenewed = connect(bob, soon)) {
            renew(renewed, token(alice, later, SECRET));
            JsonObject answer = renewed.next("auth_ok");
            assertThat(Instant.parse(answer.getString("expires_at"))).isEqualTo(later);

            // the same first expiry ends the one that did not renew, and only that one
            ChatClient.Closed closed = unrenewed.awaitClosed();
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).isEqualTo("token expired");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !renewed.isClosed());
            assertThat(Instant.now()).isAfter(soon);

            renewed.sendMessage(bob, "still here", "c1");
            JsonObject receipt = renewed.next("receipt");
            assertThat(receipt.getString("status")).isEqualTo("queued");
            assertThat(receipt.getString("client_msg_id")).isEqualTo("c1");
        }
    }

    @Test
    void anotherUsersTokenClosesTheSessionWith1008() throws Exception {
        String alice = user("alice");
        try (ChatClient client = connect(alice, Instant.now().plusSeconds(600))) {
            renew(client, token(user("mallory"), Instant.now().plusSeconds(3600), SECRET));

            ChatClient.Closed closed = client.awaitClosed();
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).startsWith("token is for another user");
        }
    }

    @Test
    void aTokenThatIsNotValidClosesTheSessionWith1008() throws Exception {
        String alice = user("alice");
        try (ChatClient client = connect(alice, Instant.now().plusSeconds(600))) {
            renew(client, token(alice, Instant.now().plusSeconds(3600), "some-other-secret-of-32-bytes-0123456789"));

            ChatClient.Closed closed = client.awaitClosed();
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).isEqualTo("token not valid");
        }
    }
}
