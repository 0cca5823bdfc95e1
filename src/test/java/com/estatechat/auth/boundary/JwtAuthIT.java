package com.estatechat.auth.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.UserDirectoryClient;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Mode jwt on the deployed WAR: who gets in, who does not, and what a token's claims decide. */
@ExtendWith(ArquillianExtension.class)
class JwtAuthIT {

    static final String SECRET = "integration-test-hs256-secret-0123456789";
    static final String ORIGIN = "https://app.estate.example";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.chat("jwt", Map.of(
                "chat.auth.mode", "jwt",
                "chat.auth.jwt.secret", SECRET,
                "chat.auth.jwt.issuer", "estate-platform",
                "chat.auth.jwt.audience", "estate-chat",
                "chat.allowed-origins", ORIGIN,
                "chat.allow-missing-origin", "false"));
    }

    @ArquillianResource
    URL base;

    private URI ws(String query) {
        return URI.create(Deployments.root(base, "jwt").toString().replaceFirst("^http", "ws") + "ws" + query);
    }

    static String token(String subject, String role, UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
        JWTClaimsSet claims = change.apply(new JWTClaimsSet.Builder().subject(subject).claim("role", role)
                .issuer("estate-platform").audience("estate-chat")
                .expirationTime(Date.from(Instant.now().plusSeconds(600)))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(SECRET));
        return jwt.serialize();
    }

    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token, "Origin", ORIGIN);
    }

    @Test
    void tokenDecidesUserAndRoleAndTheRoleTravelsWithMessages() throws Exception {
        String landlord = user("lee");
        String tenant = user("tia");
        try (ChatClient l = ChatClient.connect(ws(""), landlord, "landlord", bearer(token(landlord, "landlord", c -> c)));
                ChatClient t = ChatClient.connect(ws("?access_token=" + token(tenant, "tenant", c -> c)), tenant,
                        "tenant", Map.of("Origin", ORIGIN))) {
            // a role in the query cannot override the token's
            l.sendMessage(tenant, "rent is due", null);
            JsonObject message = t.next("message");
            assertThat(message.getString("sender_id")).isEqualTo(landlord);
            assertThat(message.getString("sender_role")).isEqualTo("landlord");
        }
    }

    @Test
    void badCredentialsAreRefusedBeforeTheUpgrade() throws Exception {
        String alice = user("alice");
        SignedJWT forged = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(alice)
                .claim("role", "admin").issuer("estate-platform").audience("estate-chat")
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
        forged.sign(new MACSigner("a-completely-different-secret-0123456789"));
        String other = forged.serialize();
        String none = new PlainJWT(new JWTClaimsSet.Builder().subject(alice).claim("role", "admin")
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build()).serialize();

        assertThat(ChatClient.refusedStatus(ws("?id=" + alice), Map.of("Origin", ORIGIN))).as("no token").isEqualTo(401);
        assertThat(ChatClient.refusedStatus(ws(""), bearer(other))).as("bad signature").isEqualTo(401);
        assertThat(ChatClient.refusedStatus(ws(""), bearer(token(alice, "tenant",
                c -> c.expirationTime(Date.from(Instant.now().minusSeconds(600))))))).as("expired").isEqualTo(401);
        assertThat(ChatClient.refusedStatus(ws(""), bearer(token(alice, "tenant", c -> c.audience("billing")))))
                .as("wrong audience").isEqualTo(401);
        assertThat(ChatClient.refusedStatus(ws(""), bearer(none))).as("alg none").isEqualTo(401);
        assertThat(ChatClient.refusedStatus(ws("?id=mallory"), bearer(token(alice, "tenant", c -> c))))
                .as("id mismatch").isEqualTo(403);
        assertThat(ChatClient.refusedStatus(ws(""), Map.of("Authorization", "Bearer " + token(alice, "tenant", c -> c),
                "Origin", "https://evil.example"))).as("disallowed origin").isEqualTo(403);
        assertThat(ChatClient.refusedStatus(ws(""), Map.of("Authorization", "Bearer " + token(alice, "tenant", c -> c))))
                .as("no origin").isEqualTo(403);
    }

    @Test
    void contactsClaimLimitsWhomAUserMayMessage() throws Exception {
        String tenant = user("tia");
        String landlord = user("lee");
        try (ChatClient t = ChatClient.connect(ws(""), tenant, "tenant",
                bearer(token(tenant, "tenant", c -> c.claim("contacts", List.of(landlord)))))) {
            t.sendMessage(user("stranger"), "hello?", "s1");
            JsonObject refused = t.next();
            assertThat(refused.getString("code")).isEqualTo("forbidden");
            assertThat(refused.getString("client_msg_id")).isEqualTo("s1");
            t.sendMessage(landlord, "the tap leaks", "s2");
            assertThat(t.next().getString("code")).as("a contact not known yet").isEqualTo("unknown_user");

            URI root = Deployments.root(base, "jwt");
            String body = "{\"role\":\"landlord\"}";
            assertThat(UserDirectoryClient.put(root, landlord, body, Map.of(), Map.of()).statusCode())
                    .as("no token").isEqualTo(401);
            assertThat(UserDirectoryClient.put(root, landlord, body, Map.of(),
                    Map.of("Authorization", "Bearer " + token(tenant, "tenant", c -> c))).statusCode())
                    .as("a tenant's token").isEqualTo(403);
            assertThat(UserDirectoryClient.put(root, landlord, body, Map.of(),
                    Map.of("Authorization", "Bearer " + token(user("ada"), "admin", c -> c))).statusCode())
                    .as("an admin's token, no Origin (a backend)").isEqualTo(200);
            t.sendMessage(landlord, "the tap leaks", "s3");
            assertThat(t.next().getString("status")).isEqualTo("queued");
        }
    }

    @Test
    void tokenExpiryEndsTheSessionWith1008() throws Exception {
        String alice = user("alice");
        try (ChatClient a = ChatClient.connect(ws(""), alice, "tenant", bearer(token(alice, "tenant",
                c -> c.expirationTime(Date.from(Instant.now().plusSeconds(3))))))) {
            ChatClient.Closed closed = a.awaitClosed();
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).contains("expired");
        }
    }
}
