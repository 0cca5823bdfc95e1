package com.estatechat.auth.control;

import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Mode {@code jwt}: a signed token from {@code Authorization: Bearer …}, from the offered
 * WebSocket subprotocol {@code bearer.<token>} (browsers cannot set headers on a WebSocket, and a
 * URL ends up in proxies' logs) or from the {@code access_token} query parameter. Verification is
 * Nimbus JOSE+JWT's: the algorithms accepted follow from the configured key (HMAC for a secret,
 * RSA or EC for a public key or JWKS), so {@code alg: none} and HS/RS confusion are refused;
 * {@code exp} and {@code sub} are required, {@code iss} and {@code aud} checked when configured.
 */
class JwtAuthenticator implements Authenticator {

    static final String ACCESS_TOKEN_PARAMETER = "access_token";
    /** The subprotocol a client offers next to {@link HandshakeCredentials#PROTOCOL} to carry its token. */
    static final String BEARER_PROTOCOL_PREFIX = "bearer.";
    static final String CONTACTS_CLAIM = "contacts";
    static final Duration DEFAULT_JWKS_MAX_STALE = Duration.ofHours(1);
    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    private static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    private static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final ConfigurableJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String roleClaim;
    private final JwksKeys jwks;

    /** The key settings; exactly one of secret, public key and JWKS URL is given. */
    record Keys(Optional<String> secret, Optional<String> publicKeyPem, Optional<String> jwksUrl) {
    }

    JwtAuthenticator(Keys keys, Optional<String> issuer, Optional<String> audience, String roleClaim) {
        this(keys, DEFAULT_JWKS_MAX_STALE, issuer, audience, roleClaim);
    }

    /**
     * A JWKS is not fetched here: {@link #jwks()}{@code .load()} does that, at start.
     *
     * @throws IllegalArgumentException naming the key whose value cannot be used
     */
    JwtAuthenticator(Keys keys, Duration jwksMaxStale, Optional<String> issuer, Optional<String> audience,
            String roleClaim) {
        this.roleClaim = roleClaim;
        Set<JWSAlgorithm> algorithms;
        JWKSource<SecurityContext> source;
        if (keys.secret().isPresent()) {
            byte[] secret = keys.secret().get().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new IllegalArgumentException("chat.auth.jwt.secret must be at least 32 bytes (256 bits) for HS256");
            }
            algorithms = HMAC;
            source = new ImmutableSecret<>(secret);
            jwks = null;
        } else if (keys.publicKeyPem().isPresent()) {
            PublicKey key = parsePublicKey(keys.publicKeyPem().get());
            algorithms = key instanceof RSAPublicKey ? RSA : EC;
            source = new ImmutableJWKSet<>(new JWKSet(key instanceof RSAPublicKey rsa ? new RSAKey.Builder(rsa).build()
                    : new ECKey.Builder(Curve.forECParameterSpec(((ECPublicKey) key).getParams()), (ECPublicKey) key)
                            .build()));
            jwks = null;
        } else if (keys.jwksUrl().isPresent()) {
            algorithms = new HashSet<>(RSA);
            algorithms.addAll(EC);
            jwks = new JwksKeys(keys.jwksUrl().get(), jwksMaxStale, Clock.systemUTC());
            source = jwks.source();
        } else {
            throw new IllegalArgumentException("no key");
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, source));
        JWTClaimsSet exactMatch = issuer.map(iss -> new JWTClaimsSet.Builder().issuer(iss).build())
                .orElseGet(() -> new JWTClaimsSet.Builder().build());
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience.orElse(null), exactMatch,
                Set.of("sub", "exp")));
    }

    /** The JWKS keys, when the key is a JWKS URL. */
    Optional<JwksKeys> jwks() {
        return Optional.ofNullable(jwks);
    }

    @Override
    public Admission authenticate(HandshakeCredentials credentials) {
        Optional<String> token = token(credentials);
        if (token.isEmpty()) {
            return Admission.refuse(HandshakeRefusal.unauthorized("no token: neither Authorization: Bearer, "
                    + "a bearer. subprotocol nor the access_token query parameter"));
        }
        Admission admission = verify(token.get());
        if (!admission.admitted()) {
            return admission;
        }
        String claimedId = credentials.parameter().apply(IdentityResolver.ID_PARAMETER);
        if (claimedId != null && !claimedId.equals(admission.identity().userId())) {
            return Admission.refuse(HandshakeRefusal.forbidden("the id parameter does not match the token"));
        }
        return admission;
    }

    /**
     * The identity a token proves, checked exactly as at the handshake (signature, {@code exp},
     * {@code iss}, {@code aud}, {@code sub}, role, contacts). The refusal's reason is for the log
     * only: it may carry the library's words, never the token.
     */
    Admission verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            return Admission.refuse(HandshakeRefusal.unauthorized("the token is not valid: " + e.getMessage()));
        }
        String subject = claims.getSubject();
        if (!Identity.isValidUserId(subject)) {
            return Admission.refuse(HandshakeRefusal.unauthorized("the token's sub is not a valid user id"));
        }
        Optional<Role> role = Role.fromWire(stringClaim(claims, roleClaim));
        if (role.isEmpty()) {
            return Admission.refuse(HandshakeRefusal.unauthorized(
                    "the token's " + roleClaim + " claim must be admin, landlord or tenant"));
        }
        Set<String> contacts;
        try {
            List<String> listed = claims.getStringListClaim(CONTACTS_CLAIM);
            contacts = listed == null ? null : Set.copyOf(listed);
        } catch (ParseException | NullPointerException e) {
            return Admission.refuse(HandshakeRefusal.unauthorized("the token's contacts claim must be a list of user ids"));
        }
        return Admission.admit(new Identity(subject, role.get(), claims.getExpirationTime().toInstant(), contacts));
    }

    /** The header first, then the subprotocol, then the query parameter. */
    static Optional<String> token(HandshakeCredentials credentials) {
        String header = credentials.header().apply("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(header.substring(7).trim()).filter(t -> !t.isEmpty());
        }
        for (String protocol : credentials.subprotocols()) {
            if (protocol.startsWith(BEARER_PROTOCOL_PREFIX) && protocol.length() > BEARER_PROTOCOL_PREFIX.length()) {
                return Optional.of(protocol.substring(BEARER_PROTOCOL_PREFIX.length()));
            }
        }
        return Optional.ofNullable(credentials.parameter().apply(ACCESS_TOKEN_PARAMETER)).filter(t -> !t.isEmpty());
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        return value instanceof String text ? text : null;
    }

    /** An X.509 SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}), RSA or EC. */
    static PublicKey parsePublicKey(String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("chat.auth.jwt.public-key is not a PEM public key", e);
        }
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next key type
            }
        }
        throw new IllegalArgumentException("chat.auth.jwt.public-key is neither an RSA nor an EC public key");
    }
}
