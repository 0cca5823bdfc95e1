package com.estatechat.auth.control;

import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.auth.entity.Identity;
import com.estatechat.auth.entity.Role;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Mode {@code jwt}: a signed token from {@code Authorization: Bearer …} or the
 * {@code access_token} query parameter (browsers cannot set headers on a WebSocket). Verification
 * is Nimbus JOSE+JWT's: the algorithms accepted follow from the configured key (HMAC for a secret,
 * RSA or EC for a public key or JWKS), so {@code alg: none} and HS/RS confusion are refused;
 * {@code exp} and {@code sub} are required, {@code iss} and {@code aud} checked when configured.
 */
class JwtAuthenticator implements Authenticator {

    private static final Logger LOG = Logger.getLogger(JwtAuthenticator.class.getName());
    static final String ACCESS_TOKEN_PARAMETER = "access_token";
    static final String CONTACTS_CLAIM = "contacts";
    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    private static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);
    private static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final ConfigurableJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String roleClaim;

    /** The key settings; exactly one of secret, public key and JWKS URL is given. */
    record Keys(Optional<String> secret, Optional<String> publicKeyPem, Optional<String> jwksUrl) {
    }

    /** @throws IllegalArgumentException naming the key whose value cannot be used */
    JwtAuthenticator(Keys keys, Optional<String> issuer, Optional<String> audience, String roleClaim) {
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
        } else if (keys.publicKeyPem().isPresent()) {
            PublicKey key = parsePublicKey(keys.publicKeyPem().get());
            algorithms = key instanceof RSAPublicKey ? RSA : EC;
            source = new ImmutableJWKSet<>(new JWKSet(key instanceof RSAPublicKey rsa ? new RSAKey.Builder(rsa).build()
                    : new ECKey.Builder(Curve.forECParameterSpec(((ECPublicKey) key).getParams()), (ECPublicKey) key)
                            .build()));
        } else if (keys.jwksUrl().isPresent()) {
            algorithms = new HashSet<>(RSA);
            algorithms.addAll(EC);
            try {
                source = JWKSourceBuilder.create(URI.create(keys.jwksUrl().get()).toURL()).retrying(true).build();
            } catch (MalformedURLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("chat.auth.jwt.jwks-url is not a valid URL", e);
            }
        } else {
            throw new IllegalArgumentException("no key");
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, source));
        JWTClaimsSet exactMatch = issuer.map(iss -> new JWTClaimsSet.Builder().issuer(iss).build())
                .orElseGet(() -> new JWTClaimsSet.Builder().build());
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(audience.orElse(null), exactMatch,
                Set.of("sub", "exp")));
    }

    @Override
    public Admission authenticate(HandshakeCredentials credentials) {
        Optional<String> token = token(credentials);
        if (token.isEmpty()) {
            return Admission.refuse(HandshakeRefusal.unauthorized(
                    "a token is required: Authorization: Bearer <jwt> or the access_token query parameter"));
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token.get(), null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            LOG.fine(() -> "Refused a token: " + e.getMessage());
            return Admission.refuse(HandshakeRefusal.unauthorized("the token is not valid: " + e.getMessage()));
        }
        String subject = claims.getSubject();
        if (!Identity.isValidUserId(subject)) {
            return Admission.refuse(HandshakeRefusal.unauthorized("the token's sub is not a valid user id"));
        }
        String claimedId = credentials.parameter().apply(IdentityResolver.ID_PARAMETER);
        if (claimedId != null && !claimedId.equals(subject)) {
            return Admission.refuse(HandshakeRefusal.forbidden("the id parameter does not match the token"));
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

    private static Optional<String> token(HandshakeCredentials credentials) {
        String header = credentials.header().apply("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(header.substring(7).trim()).filter(t -> !t.isEmpty());
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
