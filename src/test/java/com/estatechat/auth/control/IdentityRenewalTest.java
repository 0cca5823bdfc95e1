package com.estatechat.auth.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.auth.entity.Identity;
import com.estatechat.auth.entity.Role;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link IdentityResolver#renew}: the in-band {@code auth} frame's token, checked like a handshake's. */
class IdentityRenewalTest {

    static final String SECRET = "unit-test-hs256-secret-0123456789abcdef";
    static final Identity ALICE = new Identity("alice", Role.TENANT, Instant.now().plusSeconds(30), null);

    IdentityResolver cut;
    AuthSettings settings;

    @BeforeEach
    void settings() {
        settings = new AuthSettings();
        settings.mode = "jwt";
        settings.headerSecret = Optional.empty();
        settings.jwtSecret = Optional.of(SECRET);
        settings.jwtPublicKey = Optional.empty();
        settings.jwtJwksUrl = Optional.empty();
        settings.jwtIssuer = Optional.empty();
        settings.jwtAudience = Optional.empty();
        settings.jwtRoleClaim = "role";
        settings.allowedOrigins = Optional.empty();
        settings.allowMissingOrigin = false;
        settings.broadcastRoles = "admin";
        cut = new IdentityResolver();
        cut.settings = settings;
    }

    static String token(String subject, Instant expiry, String secret) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(subject)
                .claim("role", "tenant").expirationTime(Date.from(expiry)).build());
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    @Test
    void aTokenOfTheSameUserRenewsTheIdentityWithItsExpiry() throws Exception {
        cut.configure();
        Instant later = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);

        Admission admission = cut.renew(ALICE, token("alice", later, SECRET));

        assertThat(admission.identity()).isEqualTo(new Identity("alice", Role.TENANT, later, null));
    }

    @Test
    void anotherUsersTokenIsForbiddenAndABadOneUnauthorized() throws Exception {
        cut.configure();
        Instant later = Instant.now().plus(Duration.ofHours(1));

        assertThat(cut.renew(ALICE, token("mallory", later, SECRET)).refusal().status()).isEqualTo(403);
        assertThat(cut.renew(ALICE, token("alice", later, "another-secret-of-32-bytes-or-more-0123")).refusal()
                .status()).isEqualTo(401);
        assertThat(cut.renew(ALICE, token("alice", Instant.now().minusSeconds(120), SECRET)).refusal().status())
                .isEqualTo(401);
        assertThat(cut.renew(ALICE, "not a token").refusal().status()).isEqualTo(401);
    }

    @Test
    void aModeWithoutTokensRefusesWith400() throws Exception {
        settings.mode = "none";
        cut.configure();

        assertThat(cut.renew(ALICE, token("alice", Instant.now().plusSeconds(600), SECRET)).refusal().status())
                .isEqualTo(400);
    }
}
