package com.estatechat.auth.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.settings.TestSettings;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdentityResolverTest {

    IdentityResolver cut;
    AuthSettings settings;

    @BeforeEach
    void settings() {
        settings = TestIdentities.shipped("none");
        cut = new IdentityResolver();
        cut.settings = settings;
        cut.live = TestSettings.live(Map.of("chat.allowed-origins", ORIGINS));
    }

    static final String ORIGINS = "https://app.example.com, https://admin.example.com/";

    /** Handshakes without an Origin header are admitted from now on. */
    void allowMissingOrigin() {
        cut.live = TestSettings.live(Map.of("chat.allowed-origins", ORIGINS, "chat.allow-missing-origin", "true"));
    }

    @AfterEach
    void close() {
        cut.close();
    }

    static HandshakeCredentials request(Map<String, String> parameters, Map<String, String> headers) {
        return new HandshakeCredentials(parameters::get, headers::get);
    }

    @Test
    void noneModeTakesIdAndRoleFromTheQuery() {
        cut.configure();
        Admission admission = cut.resolve(request(Map.of("id", "alice", "role", "landlord"),
                Map.of("Origin", "https://app.example.com")));
        assertThat(admission.identity()).isEqualTo(Identity.of("alice", Role.LANDLORD));
        assertThat(cut.resolve(request(Map.of("id", "bob"), Map.of("Origin", "https://admin.example.com")))
                .identity().role()).isEqualTo(Role.TENANT);
    }

    @Test
    void originsAreCheckedBeforeAnythingElse() {
        cut.configure();
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of("Origin", "https://evil.example")))
                .refusal().status()).isEqualTo(403);
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of())).refusal().status()).isEqualTo(403);
        // a page served by this very server may connect
        assertThat(cut.resolve(request(Map.of("id", "alice"),
                Map.of("Origin", "http://chat.internal:8080", "Host", "chat.internal:8080"))).admitted()).isTrue();
        assertThat(cut.resolve(request(Map.of("id", "alice"),
                Map.of("Origin", "http://chat.internal", "Host", "chat.internal:80"))).admitted()).isTrue();
    }

    @Test
    void missingOriginAllowedOnlyWhenConfigured() {
        allowMissingOrigin();
        cut.configure();
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of())).admitted()).isTrue();
    }

    @Test
    void headerModeComparesTheSharedSecret() {
        settings.mode = "header";
        settings.headerSecret = Optional.of("s3cret-from-.env");
        allowMissingOrigin();
        cut.configure();
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of("Authorization", "s3cret-from-.env")))
                .identity().userId()).isEqualTo("alice");
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of("Authorization", "s3cret-from-.enV")))
                .refusal().status()).isEqualTo(401);
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of())).refusal().status()).isEqualTo(401);
    }

    @Test
    void jwtWithoutAKeyRefusesEveryoneAndSaysWhichKeyIsMissing() {
        settings.mode = "jwt";
        allowMissingOrigin();
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason).contains("chat.auth.jwt.secret"));
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of())).refusal().status()).isEqualTo(401);
    }

    @Test
    void headerModeWithoutSecretAndUnknownModeAreUnusable() {
        settings.mode = "header";
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason).contains("chat.auth.header-secret"));
        settings.mode = "kerberos";
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason).contains("chat.auth.mode"));
    }

    @Test
    void headerModeRefusesSecretsOfAnyLengthButTheRightOne() {
        settings.mode = "header";
        settings.headerSecret = Optional.of("s3cret-from-.env");
        allowMissingOrigin();
        cut.configure();
        for (String wrong : new String[] {"s", "s3cret-from-.en", "s3cret-from-.env ", "s3cret-from-.env-and-more-bytes"}) {
            assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of("Authorization", wrong))).refusal().status())
                    .as(wrong).isEqualTo(401);
        }
    }

    @Test
    void noneModeServesOnlyLoopbackClientsAndSaysSoInReadiness() {
        cut.configure();
        HandshakeCredentials alice = request(Map.of("id", "alice"), Map.of("Origin", "https://app.example.com"));
        assertThat(cut.resolve(alice, "127.0.0.1").admitted()).isTrue();
        assertThat(cut.resolve(alice, "127.8.9.10").admitted()).isTrue();
        assertThat(cut.resolve(alice, "0:0:0:0:0:0:0:1").admitted()).isTrue();
        assertThat(cut.resolve(alice, "192.0.2.7").refusal().status()).isEqualTo(403);
        assertThat(cut.resolve(alice, "fd00::2").refusal().status()).isEqualTo(403);
        assertThat(cut.resolve(alice, "::ffff:192.0.2.7").refusal().status()).isEqualTo(403);
        assertThat(cut.resolve(alice, "localhost.evil.example").refusal().status()).isEqualTo(403);
        assertThat(cut.resolve(alice, null).refusal().status()).isEqualTo(403);
        assertThat(cut.unusable()).isEmpty();
        assertThat(cut.details()).containsEntry("mode", "none").containsKey("warning");
        assertThat(cut.details().get("warning")).contains("loopback");
    }

    /**
     * Issue 22, item 6: a DNS-rebinding page (its name now pointing at 127.0.0.1) connects from
     * loopback, and its Origin matches the Host it sent; only the Host shows the name is not local.
     */
    @Test
    void noneModeRefusesAHostThatIsNotALoopbackName() {
        cut.configure();
        HandshakeCredentials rebound = request(Map.of("id", "root", "role", "admin"),
                Map.of("Origin", "http://rebind.example:8080", "Host", "rebind.example:8080"));
        assertThat(cut.resolve(rebound, "127.0.0.1").refusal().status()).isEqualTo(403);
        assertThat(cut.resolveApiCall(request(Map.of("id", "root", "role", "admin"),
                Map.of("Host", "rebind.example:8080")), "127.0.0.1").refusal().status()).isEqualTo(403);
        assertThat(cut.resolve(request(Map.of("id", "root"), Map.of("Origin", "http://localhost.rebind.example",
                "Host", "localhost.rebind.example")), "127.0.0.1").refusal().status()).isEqualTo(403);
        for (String host : List.of("localhost:8080", "LocalHost", "127.0.0.1:8080", "127.0.0.1", "[::1]:8080", "[::1]")) {
            assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of("Origin", "http://" + host, "Host", host)),
                    "127.0.0.1").admitted()).as(host).isTrue();
        }
    }

    /** With remote clients allowed on purpose, any Host is: the server is reachable by name anyway. */
    @Test
    void noneModeWithRemoteClientsAllowedTakesAnyHost() {
        settings.noneAllowRemote = "true";
        cut.configure();
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of("Origin", "http://chat.lan:8080",
                "Host", "chat.lan:8080")), "192.0.2.7").admitted()).isTrue();
    }

    @Test
    void noneModeServesDirectoryCallsFromLoopbackOnly() {
        cut.configure();
        HandshakeCredentials admin = request(Map.of("id", "root", "role", "admin"), Map.of());
        assertThat(cut.resolveApiCall(admin, "127.0.0.1").identity().role()).isEqualTo(Role.ADMIN);
        assertThat(cut.resolveApiCall(admin, "192.0.2.7").refusal().status()).isEqualTo(403);
    }

    @Test
    void noneModeServesRemoteClientsOnlyWhenAllowed() {
        settings.noneAllowRemote = "true";
        cut.configure();
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of("Origin", "https://app.example.com")),
                "192.0.2.7").admitted()).isTrue();
        assertThat(cut.details().get("warning")).contains("anyone");
    }

    @Test
    void theLoopbackRuleIsOnlyForModeNone() {
        settings.mode = "header";
        settings.headerSecret = Optional.of("s3cret-from-.env");
        cut.configure();
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of("Origin", "https://app.example.com",
                "Authorization", "s3cret-from-.env")), "192.0.2.7").admitted()).isTrue();
    }

    /** Issue 22, item 7: the shared secret is for a trusted backend's /ws handshakes, not every MQTT client's. */
    @Test
    void headerModeIsRefusedOnMqttUnlessAllowed() {
        settings.mode = "header";
        settings.headerSecret = Optional.of("s3cret-from-.env");
        allowMissingOrigin();
        cut.configure();
        HandshakeCredentials root = request(Map.of("id", "root", "role", "admin"),
                Map.of("Authorization", "s3cret-from-.env"));
        assertThat(cut.resolveMqttConnect(root, "192.0.2.7").refusal().status()).isEqualTo(403);
        assertThat(cut.resolve(root, "192.0.2.7").admitted()).as("on /ws").isTrue();

        settings.headerAllowMqtt = "true";
        cut.configure();
        assertThat(cut.resolveMqttConnect(root, "192.0.2.7").identity().role()).isEqualTo(Role.ADMIN);

        settings.headerAllowMqtt = "sure";
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason).contains("chat.auth.header.allow-mqtt"));
    }

    @Test
    void badValuesOfTheNewKeysAreNamedAndRefuseEveryone() {
        settings.noneAllowRemote = "yes";
        settings.maxSession = "forever";
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("chat.auth.none.allow-remote").contains("chat.auth.max-session"));
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of("Origin", "https://app.example.com")),
                "127.0.0.1").refusal().status()).isEqualTo(401);
        assertThat(cut.maxSession()).isEqualTo(IdentityResolver.DEFAULT_MAX_SESSION);

        settings.noneAllowRemote = "false";
        settings.jwtAllowAnyIssuer = "perhaps";
        cut.configure();
        assertThat(cut.unusable()).as("a jwt key is checked in mode none too").hasValueSatisfying(reason ->
                assertThat(reason).contains("chat.auth.jwt.allow-any-issuer"));

        settings.jwtAllowAnyIssuer = "false";
        settings.maxSession = "0s";
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason).contains("chat.auth.max-session"));

        settings.maxSession = "90m";
        settings.mode = "jwt";
        settings.jwtSecret = Optional.of(JwtAuthenticatorTest.SECRET);
        settings.jwtAllowAnyAudience = "maybe";
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("chat.auth.jwt.allow-any-audience"));

        settings.jwtAllowAnyAudience = "false";
        settings.jwtJwksMaxStale = "1s";
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason).contains("chat.auth.jwt.jwks-max-stale"));

        settings.jwtJwksMaxStale = "2h";
        cut.configure();
        assertThat(cut.unusable()).isEmpty();
        assertThat(cut.maxSession()).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void aSharedSecretKeepsIssuerAndAudienceOptional() {
        settings.mode = "jwt";
        settings.jwtSecret = Optional.of(JwtAuthenticatorTest.SECRET);
        cut.configure();
        assertThat(cut.unusable()).isEmpty();
    }

    @Test
    void aPublicKeyNeedsIssuerAndAudienceUnlessOptedOut() throws Exception {
        settings.mode = "jwt";
        allowMissingOrigin();
        RSAKey rsa = new RSAKeyGenerator(2048).generate();
        settings.jwtPublicKey = Optional.of(JwtAuthenticatorTest.pem(rsa.toPublicKey().getEncoded()));
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("chat.auth.jwt.issuer").contains("chat.auth.jwt.audience")
                .contains("chat.auth.jwt.allow-any-issuer").contains("chat.auth.jwt.allow-any-audience"));
        String token = JwtAuthenticatorTest.sign(new RSASSASigner(rsa), JWSAlgorithm.RS256,
                JwtAuthenticatorTest.claims("alice", "tenant").build());
        assertThat(cut.resolve(JwtAuthenticatorTest.bearer(token)).refusal().status()).isEqualTo(401);

        settings.jwtIssuer = Optional.of(JwtAuthenticatorTest.ISSUER);
        cut.configure();
        assertThat(cut.unusable()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("chat.auth.jwt.audience").doesNotContain("chat.auth.jwt.issuer"));

        settings.jwtAllowAnyAudience = "true";
        cut.configure();
        assertThat(cut.unusable()).isEmpty();
        assertThat(cut.resolve(JwtAuthenticatorTest.bearer(token)).admitted()).isTrue();

        settings.jwtAllowAnyAudience = "false";
        settings.jwtAudience = Optional.of(JwtAuthenticatorTest.AUDIENCE);
        cut.configure();
        assertThat(cut.unusable()).isEmpty();
        String forBilling = JwtAuthenticatorTest.sign(new RSASSASigner(rsa), JWSAlgorithm.RS256,
                JwtAuthenticatorTest.claims("alice", "admin").audience("billing").build());
        assertThat(cut.resolve(JwtAuthenticatorTest.bearer(forBilling)).refusal().status()).isEqualTo(401);
    }

    @Test
    void aJwksUrlMustBeHttpsOrLoopbackHttp() {
        settings.mode = "jwt";
        settings.jwtIssuer = Optional.of(JwtAuthenticatorTest.ISSUER);
        settings.jwtAudience = Optional.of(JwtAuthenticatorTest.AUDIENCE);
        for (String url : new String[] {"http://idp.example/jwks.json", "http://192.0.2.7/jwks.json",
                "ftp://idp.example/jwks.json", "http://localhost.evil.example/jwks", "not a url"}) {
            settings.jwtJwksUrl = Optional.of(url);
            cut.configure();
            assertThat(cut.unusable()).as(url).hasValueSatisfying(reason -> assertThat(reason)
                    .contains("chat.auth.jwt.jwks-url"));
        }
        assertThat(JwksKeys.checkedUrl("https://idp.example/jwks.json")).hasHost("idp.example");
        assertThat(JwksKeys.checkedUrl("http://127.0.0.1:8181/jwks.json")).hasHost("127.0.0.1");
        assertThat(JwksKeys.checkedUrl("http://[::1]:8181/jwks.json")).hasHost("[::1]");
        assertThat(JwksKeys.checkedUrl("http://localhost:8181/jwks.json")).hasHost("localhost");
    }

    @Test
    void renewalTakesAFreshTokenOfTheSameUserAndRole() throws Exception {
        settings.mode = "jwt";
        settings.jwtSecret = Optional.of(JwtAuthenticatorTest.SECRET);
        settings.jwtIssuer = Optional.of(JwtAuthenticatorTest.ISSUER);
        settings.jwtAudience = Optional.of(JwtAuthenticatorTest.AUDIENCE);
        cut.configure();
        Identity current = new Identity("alice", Role.TENANT, Instant.now().plusSeconds(30), null);

        Instant later = Instant.now().plusSeconds(3600);
        Admission renewed = cut.renew(current, JwtAuthenticatorTest.hs(JwtAuthenticatorTest.claims("alice", "tenant")
                .expirationTime(Date.from(later)).claim("contacts", List.of("bob")).build()));
        assertThat(renewed.admitted()).isTrue();
        assertThat(renewed.identity().userId()).isEqualTo("alice");
        assertThat(renewed.identity().expiresAt()).isEqualTo(later.truncatedTo(ChronoUnit.SECONDS));
        assertThat(renewed.identity().contacts()).containsExactly("bob");

        assertThat(cut.renew(current, JwtAuthenticatorTest.hs(JwtAuthenticatorTest.claims("mallory", "tenant").build()))
                .refusal().status()).as("another user").isEqualTo(403);
        assertThat(cut.renew(current, JwtAuthenticatorTest.hs(JwtAuthenticatorTest.claims("alice", "admin").build()))
                .refusal().status()).as("another role").isEqualTo(403);
        assertThat(cut.renew(current, JwtAuthenticatorTest.hs(JwtAuthenticatorTest.claims("alice", "tenant")
                .expirationTime(Date.from(Instant.now().minusSeconds(120))).build())).refusal().status())
                .as("expired").isEqualTo(401);
        assertThat(cut.renew(current, JwtAuthenticatorTest.hs(JwtAuthenticatorTest.claims("alice", "tenant")
                .audience("billing").build())).refusal().status()).as("wrong audience").isEqualTo(401);
        assertThat(cut.renew(current, "not.a.token").refusal().status()).as("garbage").isEqualTo(401);
        assertThat(cut.renew(current, "").refusal().status()).as("empty").isEqualTo(401);
    }

    @Test
    void renewalNeedsJwtMode() {
        cut.configure();
        assertThat(cut.renew(Identity.of("alice", Role.TENANT), "anything").admitted()).isFalse();
    }
}
