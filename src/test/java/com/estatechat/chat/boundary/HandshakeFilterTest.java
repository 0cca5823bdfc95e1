package com.estatechat.chat.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HandshakeFilterTest {

    /** A refusal's body is the same for every reason of a status: no library message, no Origin. */
    @Test
    void aRefusalBodyNamesOnlyItsStatus() {
        assertThat(HandshakeFilter.body(400)).isEqualTo("bad request");
        assertThat(HandshakeFilter.body(401)).isEqualTo("unauthorized");
        assertThat(HandshakeFilter.body(403)).isEqualTo("forbidden");
        assertThat(HandshakeFilter.body(429)).isEqualTo("too many requests");
        assertThat(HandshakeFilter.body(418)).isEqualTo("refused");
    }
}
