package com.estatechat.push.control;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The value of {@code X-Estate-Chat-Signature}: {@code sha256=} and the lowercase hex HMAC-SHA256
 * of the exact body bytes, keyed with {@code chat.push.secret}, so that the receiver knows the call
 * came from this server and the body is as it was sent.
 */
public final class PushSignature {

    public static final String HEADER = "X-Estate-Chat-Signature";

    private PushSignature() {
    }

    public static String of(byte[] body, byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // every Java platform has HmacSHA256, and any non-empty key fits it
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
