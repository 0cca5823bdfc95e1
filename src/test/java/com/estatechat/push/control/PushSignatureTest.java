package com.estatechat.push.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PushSignatureTest {

    @Test
    void isTheHexHmacSha256OfTheBodyAsRfc4231Has() {
        // RFC 4231, test case 2
        assertThat(PushSignature.of("what do ya want for nothing?".getBytes(StandardCharsets.UTF_8),
                "Jefe".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
