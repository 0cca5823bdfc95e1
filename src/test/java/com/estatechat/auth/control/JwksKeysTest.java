package com.estatechat.auth.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.estatechat.settings.TestSettings;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A JWKS on loopback: fetched at start, kept through an identity provider outage for a bounded time, in readiness. */
class JwksKeysTest {

    final AtomicInteger fetches = new AtomicInteger();
    final AtomicBoolean down = new AtomicBoolean();
    ECKey key;
    HttpServer idp;
    IdentityResolver cut;
    AuthSettings settings;

    @BeforeEach
    void identityProvider() throws Exception {
        key = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        idp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        idp.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            if (down.get()) {
                exchange.sendResponseHeaders(503, -1);
            } else {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        idp.start();

        settings = new AuthSettings();
        settings.mode = "jwt";
        settings.headerSecret = Optional.empty();
        settings.jwtSecret = Optional.empty();
        settings.jwtPublicKey = Optional.empty();
        settings.jwtJwksUrl = Optional.of("http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks.json");
        settings.jwtIssuer = Optional.of(JwtAuthenticatorTest.ISSUER);
        settings.jwtAudience = Optional.of(JwtAuthenticatorTest.AUDIENCE);
        settings.jwtRoleClaim = "role";
        settings.jwtAllowAnyIssuer = "false";
        settings.jwtAllowAnyAudience = "false";
        settings.jwtJwksMaxStale = "4s";
        settings.maxSession = "24h";
        settings.noneAllowRemote = "false";
        settings.headerAllowMqtt = "false";
        cut = new IdentityResolver();
        cut.settings = settings;
        cut.live = TestSettings.live(Map.of("chat.allow-missing-origin", "true"));
    }

    @AfterEach
    void stop() {
        cut.close();
        idp.stop(0);
    }

    private boolean admits(String token) {
        return cut.resolve(JwtAuthenticatorTest.bearer(token)).admitted();
    }

    private String token() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(),
                JwtAuthenticatorTest.claims("dana", "admin").build());
        jwt.sign(new ECDSASigner(key));
        return jwt.serialize();
    }

    @Test
    void keysAreFetchedAtStartBeforeAnyHandshake() {
        cut.configure();
        assertThat(fetches.get()).isEqualTo(1);
        assertThat(cut.unusable()).isEmpty();
        assertThat(cut.details()).containsEntry("jwks", "fresh").containsKey("jwks_fetched_at");
    }

    @Test
    void keysAreKeptThroughAnOutageForMaxStaleThenTheServerIsNotReadyUntilTheyComeBack() throws Exception {
        cut.configure();
        String token = token();
        assertThat(admits(token)).isTrue();

        down.set(true);
        // the library refreshes ahead of the cache's expiry in the background: it notices the outage by itself
        await().atMost(Duration.ofSeconds(10)).until(() -> "stale".equals(cut.details().get("jwks")));
        assertThat(admits(token)).as("stale keys still verify").isTrue();
        assertThat(cut.unusable()).isEmpty();
        assertThat(cut.details()).containsKeys("jwks_failing_since", "jwks_kept_until");

        await().atMost(Duration.ofSeconds(15)).until(() -> cut.unusable().isPresent());
        assertThat(cut.unusable().get()).contains("chat.auth.jwt.jwks-max-stale");
        await().atMost(Duration.ofSeconds(10)).until(() -> !admits(token));

        down.set(false);
        await().atMost(Duration.ofSeconds(10)).until(() -> cut.unusable().isEmpty());
        assertThat(cut.details()).containsEntry("jwks", "fresh");
        await().atMost(Duration.ofSeconds(10)).until(() -> admits(token));
    }

    @Test
    void anIdentityProviderUnreachableAtStartMakesTheServerNotReady() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        settings.jwtJwksUrl = Optional.of("http://127.0.0.1:" + closedPort + "/jwks.json");
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason).contains("could not be fetched"));
        assertThat(cut.details()).containsEntry("jwks", "not fetched");
        assertThat(cut.resolve(JwtAuthenticatorTest.bearer(token())).refusal().status()).isEqualTo(401);
    }
}
