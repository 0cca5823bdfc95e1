package com.estatechat.auth.control;

import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.HandshakeRefusal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Mode {@code header}, the original server's scheme behind a trusted backend: the query
 * parameters name the user, and the {@code Authorization} header must equal the shared secret
 * ({@code chat.auth.header-secret}, the original {@code .env} {@code AUTHHEADER}).
 */
class SharedSecretAuthenticator implements Authenticator {

    private final byte[] secret;

    SharedSecretAuthenticator(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Admission authenticate(HandshakeCredentials credentials) {
        String presented = credentials.header().apply("Authorization");
        if (presented == null || presented.isEmpty()) {
            return Admission.refuse(HandshakeRefusal.unauthorized("the Authorization header is required"));
        }
        // constant time, so that the secret cannot be guessed byte by byte from response times
        if (!MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8))) {
            return Admission.refuse(HandshakeRefusal.unauthorized("the Authorization header is not valid"));
        }
        return OpenAuthenticator.claimedIdentity(credentials);
    }
}
