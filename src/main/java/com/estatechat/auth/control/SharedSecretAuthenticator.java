package com.estatechat.auth.control;

import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.HandshakeRefusal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Mode {@code header}, the original server's scheme behind a trusted backend: the query
 * parameters name the user, and the {@code Authorization} header must equal the shared secret
 * ({@code chat.auth.header-secret}, the original {@code .env} {@code AUTHHEADER}).
 */
class SharedSecretAuthenticator implements Authenticator {

    private final byte[] secretDigest;

    SharedSecretAuthenticator(String secret) {
        this.secretDigest = digest(secret);
    }

    @Override
    public Admission authenticate(HandshakeCredentials credentials) {
        String presented = credentials.header().apply("Authorization");
        if (presented == null || presented.isEmpty()) {
            return Admission.refuse(HandshakeRefusal.unauthorized("the Authorization header is required"));
        }
        // digests of equal length, compared in constant time: response times tell neither the secret's bytes
        // nor its length
        if (!MessageDigest.isEqual(secretDigest, digest(presented))) {
            return Admission.refuse(HandshakeRefusal.unauthorized("the Authorization header is not valid"));
        }
        return OpenAuthenticator.claimedIdentity(credentials);
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
