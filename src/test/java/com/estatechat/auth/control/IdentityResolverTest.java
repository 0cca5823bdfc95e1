package com.estatechat.auth.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.Identity;
import com.estatechat.auth.entity.Role;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdentityResolverTest {

    IdentityResolver cut;
    AuthSettings settings;

    @BeforeEach
    void settings() {
        settings = new AuthSettings();
        settings.mode = "none";
        settings.headerSecret = Optional.empty();
        settings.jwtSecret = Optional.empty();
        settings.jwtPublicKey = Optional.empty();
        settings.jwtJwksUrl = Optional.empty();
        settings.jwtIssuer = Optional.empty();
        settings.jwtAudience = Optional.empty();
        settings.jwtRoleClaim = "role";
        settings.allowedOrigins = Optional.of("https://app.example.com, https://admin.example.com/");
        settings.allowMissingOrigin = false;
        settings.broadcastRoles = "admin";
        cut = new IdentityResolver();
        cut.settings = settings;
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
        settings.allowMissingOrigin = true;
        cut.configure();
        assertThat(cut.resolve(request(Map.of("id", "alice"), Map.of())).admitted()).isTrue();
    }

    @Test
    void headerModeComparesTheSharedSecret() {
        settings.mode = "header";
        settings.headerSecret = Optional.of("s3cret-from-.env");
        settings.allowMissingOrigin = true;
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
        settings.allowMissingOrigin = true;
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
}
