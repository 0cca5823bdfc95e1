package com.estatechat.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void aNewlineCannotStartALineOfItsOwn() {
        assertThat(LogText.of("MQTT\nINFO: Accepted admin")).isEqualTo("MQTT\\nINFO: Accepted admin");
        assertThat(LogText.of("a\r\nb\tc")).isEqualTo("a\\r\\nb\\tc");
    }

    @Test
    void otherControlCharactersAndUnicodeLineBreaksAreEscaped() {
        assertThat(LogText.of("\u0000\u001b[31m\u007f\u0085\u2028\u2029"))
                .isEqualTo("\\u0000\\u001b[31m\\u007f\\u0085\\u2028\\u2029");
    }

    @Test
    void aBackslashIsDoubledSoThatAnEscapeCannotBeForged() {
        assertThat(LogText.of("a\\nb")).isEqualTo("a\\\\nb");
    }

    @Test
    void plainTextIsKeptAndLongTextIsCut() {
        assertThat(LogText.of("alice-01 ünïcode")).isEqualTo("alice-01 ünïcode");
        assertThat(LogText.of(null)).isEqualTo("null");
        assertThat(LogText.of("x".repeat(300))).isEqualTo("x".repeat(256) + "…(44 more)");
    }
}
