package com.estatechat.auth.boundary;

import static com.estatechat.support.Deployments.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.support.ChatClient;
import com.estatechat.support.Deployments;
import com.estatechat.support.PayaraMicroProcess;
import com.estatechat.support.RawHandshake;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Mode jwt with an identity provider's JWKS, on Payara Micro in a process of its own (its log is a
 * file this test reads): keys fetched before the first handshake, issuer and audience enforced,
 * the token taken from {@code Sec-WebSocket-Protocol} and never written to the log, generic
 * refusals, and {@code chat.auth.max-session} ending a session whose token lives on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JwksAuthIT {

    static final String ISSUER = "https://idp.estate.example";
    static final String AUDIENCE = "estate-chat";
    static final String ORIGIN = "https://app.estate.example";

    static final AtomicInteger fetches = new AtomicInteger();
    /** Every token this test sent: none may show up in the server's log. */
    static final List<String> sent = new CopyOnWriteArrayList<>();
    static ECKey key;
    static HttpServer idp;
    static PayaraMicroProcess server;
    static URI root;

    @BeforeAll
    static void start() throws Exception {
        key = new ECKeyGenerator(Curve.P_256).keyID("idp-1").generate();
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        idp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        idp.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        idp.start();
        // the level an operator chooses to see why handshakes are refused: the token must stay out of it too
        Path logging = Files.createDirectories(Path.of("target", "payara-process")).resolve("jwks-logging.properties");
        Files.writeString(logging, Files.readString(Path.of("payara-config", "logging.properties"))
                .replace("com.estatechat.level=INFO", "com.estatechat.level=FINE"));
        server = new PayaraMicroProcess(Deployments.chat("jwks", Map.of(
                "chat.auth.mode", "jwt",
                "chat.auth.jwt.jwks-url", "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks.json",
                "chat.auth.jwt.issuer", ISSUER,
                "chat.auth.jwt.audience", AUDIENCE,
                "chat.auth.max-session", "4s",
                "chat.allowed-origins", ORIGIN,
                "chat.allow-missing-origin", "false")), "jwks")
                .withOptions("--logproperties", logging.toString());
        root = server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        if (idp != null) {
            idp.stop(0);
        }
    }

    static String token(String subject, String role, UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
        JWTClaimsSet claims = change.apply(new JWTClaimsSet.Builder().subject(subject).claim("role", role)
                .issuer(ISSUER).audience(AUDIENCE).expirationTime(Date.from(Instant.now().plusSeconds(600)))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("idp-1").build(), claims);
        jwt.sign(new ECDSASigner(key));
        sent.add(jwt.serialize());
        return jwt.serialize();
    }

    private URI ws(String query) {
        return URI.create(root.toString().replaceFirst("^http", "ws") + "ws" + query);
    }

    @Test
    @Order(1)
    void theKeysWereFetchedAtStartAndReadinessSaysSo() throws Exception {
        assertThat(fetches.get()).as("JWKS fetches before any handshake").isGreaterThanOrEqualTo(1);
        HttpResponse<String> ready = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(root.resolve("/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("jwks").contains("fresh");
    }

    @Test
    @Order(2)
    void aTokenForAnotherAudienceOrIssuerIsRefusedWithAGenericBody() throws Exception {
        String alice = user("alice");
        RawHandshake.Response billing = RawHandshake.send(ws(""), Map.of("Origin", ORIGIN,
                "Authorization", "Bearer " + token(alice, "admin", c -> c.audience("billing"))));
        assertThat(billing.status()).isEqualTo(401);
        assertThat(billing.body()).isEqualTo("unauthorized");
        RawHandshake.Response otherIssuer = RawHandshake.send(ws(""), Map.of("Origin", ORIGIN,
                "Sec-WebSocket-Protocol", "estate-chat.v1, bearer." + token(alice, "admin", c -> c.issuer("https://evil"))));
        assertThat(otherIssuer.status()).isEqualTo(401);
        assertThat(otherIssuer.body()).isEqualTo("unauthorized");

        RawHandshake.Response badOrigin = RawHandshake.send(ws(""), Map.of("Origin", "https://evil.example",
                "Authorization", "Bearer " + token(alice, "tenant", c -> c)));
        assertThat(badOrigin.status()).isEqualTo(403);
        assertThat(badOrigin.body()).isEqualTo("forbidden");
    }

    @Test
    @Order(3)
    void aTokenInTheSubprotocolIsAcceptedAndTheServerSelectsTheChatProtocol() throws Exception {
        String tia = user("tia");
        try (ChatClient client = ChatClient.open(ws(""), tia, Map.of("Origin", ORIGIN),
                List.of("estate-chat.v1", "bearer." + token(tia, "tenant", c -> c)))) {
            JsonObject connected = client.next("connected");
            assertThat(connected.getString("user_id")).isEqualTo(tia);
            assertThat(client.subprotocol()).isEqualTo("estate-chat.v1");
        }
        RawHandshake.Response raw = RawHandshake.send(ws("?id=" + tia), Map.of("Origin", ORIGIN,
                "Sec-WebSocket-Protocol", "estate-chat.v1, bearer." + token(tia, "tenant", c -> c)));
        assertThat(raw.status()).isEqualTo(101);
        assertThat(raw.headers()).containsEntry("sec-websocket-protocol", "estate-chat.v1");
        // the query parameter still works
        try (ChatClient client = ChatClient.connect(ws("?access_token=" + token(tia, "tenant", c -> c)), tia, "tenant",
                Map.of("Origin", ORIGIN))) {
            assertThat(client.subprotocol()).isEmpty();
        }
    }

    @Test
    @Order(4)
    void maxSessionEndsASessionWhoseTokenLivesOnWith1008() throws Exception {
        String lee = user("lee");
        try (ChatClient client = ChatClient.connect(ws(""), lee, "landlord", Map.of("Origin", ORIGIN,
                "Authorization", "Bearer " + token(lee, "landlord", c -> c)))) {
            ChatClient.Closed closed = client.awaitClosed();
            assertThat(closed.code()).isEqualTo(1008);
            assertThat(closed.reason()).isEqualTo("session expired");
        }
    }

    @Test
    @Order(5)
    void noTokenEverReachesTheServerLog() throws Exception {
        String log = Files.readString(server.log().toPath());
        assertThat(log).as("refusals were logged at FINE").contains("Refused a handshake");
        assertThat(sent).isNotEmpty();
        for (String token : sent) {
            assertThat(log).doesNotContain(token).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        }
    }
}
