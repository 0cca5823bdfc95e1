package com.estatechat.chat.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextPartsTest {

    @Test
    void partsJoinIntoTheirMessageAndTheNextStartsAfresh() {
        TextParts parts = new TextParts(10);
        assertThat(parts.add("{\"a\":")).isTrue();
        assertThat(parts.add("1}")).isTrue();
        assertThat(parts.take()).isEqualTo("{\"a\":1}");
        assertThat(parts.add("0123456789")).as("a whole limit again").isTrue();
        assertThat(parts.take()).isEqualTo("0123456789");
    }

    @Test
    void aMessageIsRefusedAtThePartThatPassesTheLimitInUtf8Bytes() {
        TextParts parts = new TextParts(10);
        assertThat(parts.add("éééé")).as("8 bytes").isTrue();
        assertThat(parts.add("é")).as("10 bytes").isTrue();
        assertThat(parts.add("x")).as("11 bytes").isFalse();
    }

    @Test
    void bytesAreCountedAsUtf8EvenWithASurrogatePairSplitBetweenParts() {
        String text = "a\u00e9\u20ac\ud83d\ude00";
        assertThat(TextParts.utf8Bytes(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        assertThat(TextParts.utf8Bytes("\ud83d") + TextParts.utf8Bytes("\ude00")).isEqualTo(4);
    }
}
