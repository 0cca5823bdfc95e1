package com.estatechat.auth.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.identity.Role;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorTest {

    static final String SECRET = "an-hs256-secret-of-at-least-32-bytes!!";
    static final String ISSUER = "estate-platform";
    static final String AUDIENCE = "estate-chat";

    final JwtAuthenticator hs256 = new JwtAuthenticator(
            new JwtAuthenticator.Keys(Optional.of(SECRET), Optional.empty(), Optional.empty()),
            Optional.of(ISSUER), Optional.of(AUDIENCE), "role");

    static JWTClaimsSet.Builder claims(String subject, String role) {
        return new JWTClaimsSet.Builder().subject(subject).claim("role", role).issuer(ISSUER).audience(AUDIENCE)
                .expirationTime(Date.from(Instant.now().plusSeconds(600)));
    }

    static String sign(JWSSigner signer, JWSAlgorithm algorithm, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    static String hs(JWTClaimsSet claims) throws Exception {
        return sign(new MACSigner(SECRET), JWSAlgorithm.HS256, claims);
    }

    static HandshakeCredentials bearer(String token) {
        return new HandshakeCredentials(name -> null, name -> name.equals("Authorization") ? "Bearer " + token : null);
    }

    static HandshakeCredentials query(Map<String, String> parameters) {
        return new HandshakeCredentials(parameters::get, name -> null);
    }

    @Test
    void validTokenGivesSubjectRoleExpiryAndContacts() throws Exception {
        Admission admission = hs256.authenticate(bearer(hs(claims("alice", "landlord")
                .claim("contacts", List.of("bob", "carol")).build())));
        assertThat(admission.admitted()).isTrue();
        assertThat(admission.identity().userId()).isEqualTo("alice");
        assertThat(admission.identity().role()).isEqualTo(Role.LANDLORD);
        assertThat(admission.identity().contacts()).containsExactlyInAnyOrder("bob", "carol");
        assertThat(admission.identity().expiresAt()).isAfter(Instant.now());
    }

    @Test
    void tokenMayComeAsQueryParameterWithMatchingId() throws Exception {
        String token = hs(claims("alice", "tenant").build());
        assertThat(hs256.authenticate(query(Map.of("access_token", token, "id", "alice"))).admitted()).isTrue();
        assertThat(hs256.authenticate(query(Map.of("access_token", token, "id", "mallory"))).refusal().status())
                .isEqualTo(403);
    }

    @Test
    void missingTokenIs401() {
        assertThat(hs256.authenticate(query(Map.of("id", "alice"))).refusal().status()).isEqualTo(401);
    }

    @Test
    void wrongSignatureExpiredAudienceIssuerAndRoleAreRefused() throws Exception {
        String otherSecret = "another-secret-that-is-32-bytes-long!!";
        assertThat(refused(sign(new MACSigner(otherSecret), JWSAlgorithm.HS256, claims("alice", "tenant").build())))
                .contains("signature");
        assertThat(refused(hs(claims("alice", "tenant").expirationTime(Date.from(Instant.now().minusSeconds(300)))
                .build()))).contains("xpired");
        assertThat(refused(hs(claims("alice", "tenant").audience("someone-else").build()))).contains("aud");
        assertThat(refused(hs(claims("alice", "tenant").issuer("evil").build()))).contains("iss");
        assertThat(refused(hs(claims("alice", "owner").build()))).contains("role");
        assertThat(refused(hs(new JWTClaimsSet.Builder().subject("alice").claim("role", "tenant").issuer(ISSUER)
                .audience(AUDIENCE).build()))).contains("exp");
        assertThat(refused(hs(claims("not a valid id", "tenant").build()))).contains("sub");
    }

    @Test
    void unsignedTokenIsRefused() {
        String none = new PlainJWT(claims("alice", "admin").build()).serialize();
        assertThat(refused(none)).isNotBlank();
    }

    @Test
    void rs256PublicKeyAcceptsRsTokensAndRefusesHsTokensSignedWithThePublicKey() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).generate();
        String pem = pem(rsa.toPublicKey().getEncoded());
        JwtAuthenticator cut = new JwtAuthenticator(new JwtAuthenticator.Keys(Optional.empty(), Optional.of(pem),
                Optional.empty()), Optional.empty(), Optional.empty(), "role");

        String good = sign(new RSASSASigner(rsa), JWSAlgorithm.RS256, claims("alice", "tenant").build());
        assertThat(cut.authenticate(bearer(good)).admitted()).isTrue();

        // algorithm confusion: an HMAC "signed" with the public key as secret
        byte[] publicKeyBytes = pem.getBytes(StandardCharsets.UTF_8);
        String confused = sign(new MACSigner(publicKeyBytes), JWSAlgorithm.HS256, claims("alice", "admin").build());
        assertThat(cut.authenticate(bearer(confused)).refusal().status()).isEqualTo(401);
    }

    @Test
    void es256KeysComeFromAJwksUrl() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
        HttpServer jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = new JWKSet(ec.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        try {
            JwtAuthenticator cut = new JwtAuthenticator(new JwtAuthenticator.Keys(Optional.empty(), Optional.empty(),
                    Optional.of("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json")),
                    Optional.empty(), Optional.empty(), "role");
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("k1").build(),
                    claims("dana", "admin").build());
            jwt.sign(new ECDSASigner(ec));
            assertThat(cut.authenticate(bearer(jwt.serialize())).identity().role()).isEqualTo(Role.ADMIN);

            ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
            String forged = sign(new ECDSASigner(stranger), JWSAlgorithm.ES256, claims("dana", "admin").build());
            assertThat(cut.authenticate(bearer(forged)).refusal().status()).isEqualTo(401);
        } finally {
            jwks.stop(0);
        }
    }

    @Test
    void roleClaimNameIsConfigurable() throws Exception {
        JwtAuthenticator cut = new JwtAuthenticator(
                new JwtAuthenticator.Keys(Optional.of(SECRET), Optional.empty(), Optional.empty()),
                Optional.empty(), Optional.empty(), "https://estate.example/role");
        String token = hs(new JWTClaimsSet.Builder().subject("erin").claim("https://estate.example/role", "admin")
                .expirationTime(Date.from(Instant.now().plusSeconds(60))).build());
        assertThat(cut.authenticate(bearer(token)).identity().role()).isEqualTo(Role.ADMIN);
    }

    @Test
    void unusableKeysAreNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> new JwtAuthenticator(
                new JwtAuthenticator.Keys(Optional.of("short"), Optional.empty(), Optional.empty()),
                Optional.empty(), Optional.empty(), "role")).withMessageContaining("chat.auth.jwt.secret");
        assertThatIllegalArgumentException().isThrownBy(() -> new JwtAuthenticator(
                new JwtAuthenticator.Keys(Optional.empty(), Optional.of("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
                        Optional.empty()), Optional.empty(), Optional.empty(), "role"))
                .withMessageContaining("chat.auth.jwt.public-key");
    }

    private String refused(String token) {
        Admission admission = hs256.authenticate(bearer(token));
        assertThat(admission.admitted()).as("token admitted").isFalse();
        assertThat(admission.refusal().status()).isEqualTo(401);
        return admission.refusal().reason();
    }

    static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    }


    static HandshakeCredentials protocols(String... values) {
        return new HandshakeCredentials(name -> null,
                name -> name.equalsIgnoreCase("Sec-WebSocket-Protocol") ? String.join(", ", values) : null);
    }

    @Test
    void tokenMayComeAsABearerSubprotocolNextToTheChatProtocol() throws Exception {
        String token = hs(claims("alice", "tenant").build());
        Admission admission = hs256.authenticate(protocols("estate-chat.v1", "bearer." + token));
        assertThat(admission.identity().userId()).isEqualTo("alice");
        assertThat(hs256.authenticate(protocols("bearer." + token + ",estate-chat.v1")).admitted()).isTrue();
        assertThat(hs256.authenticate(protocols("estate-chat.v1", "bearer.")).refusal().status()).isEqualTo(401);
        assertThat(hs256.authenticate(protocols("estate-chat.v1")).refusal().status()).isEqualTo(401);
    }

    @Test
    void theAuthorizationHeaderComesBeforeTheSubprotocolAndTheQuery() throws Exception {
        String alice = hs(claims("alice", "tenant").build());
        String bob = hs(claims("bob", "tenant").build());
        HandshakeCredentials all = new HandshakeCredentials(Map.of("access_token", "garbage")::get,
                Map.of("Authorization", "Bearer " + alice, "Sec-WebSocket-Protocol", "estate-chat.v1, bearer." + bob)::get);
        assertThat(JwtAuthenticator.token(all)).hasValue(alice);
        HandshakeCredentials protocolAndQuery = new HandshakeCredentials(Map.of("access_token", alice)::get,
                Map.of("Sec-WebSocket-Protocol", "estate-chat.v1, bearer." + bob)::get);
        assertThat(JwtAuthenticator.token(protocolAndQuery)).hasValue(bob);
    }

    @Test
    void aRefusalNeverCarriesTheToken() throws Exception {
        String expired = hs(claims("alice", "tenant").expirationTime(Date.from(Instant.now().minusSeconds(300)))
                .build());
        assertThat(refused(expired)).doesNotContain(expired).doesNotContain(expired.split("\\.")[1]);
        String garbage = "eyJhbGciOiJIUzI1NiJ9.not-json.c2lnbmF0dXJl";
        assertThat(refused(garbage)).doesNotContain(garbage);
    }
}
