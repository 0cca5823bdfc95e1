package com.estatechat.push.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.json.JsonCodec;
import org.junit.jupiter.api.Test;

class PushTest {

    private final JsonCodec codec = new JsonCodec();

    @Test
    void bodyHasTheDocumentedFieldsInOrder() {
        Push push = Push.of("bob", "0190-m", "alice", "tenant", "2026-12-07T06:00:00Z", "is the flat free?", 80, 3);
        assertThat(codec.toJson(push)).isEqualTo("{\"type\":\"push\",\"user_id\":\"bob\",\"message_id\":\"0190-m\","
                + "\"sender_id\":\"alice\",\"sender_role\":\"tenant\",\"sent_at\":\"2026-12-07T06:00:00Z\","
                + "\"preview\":\"is the flat free?\",\"count\":3}");
    }

    @Test
    void previewIsCutToItsCharactersAndLeftOutAtZero() {
        assertThat(Push.preview("abcdef", 3)).isEqualTo("abc");
        assertThat(Push.preview("ab", 3)).isEqualTo("ab");
        assertThat(Push.preview("\uD83D\uDE00\uD83D\uDE00x", 2)).as("code points, never half a pair")
                .isEqualTo("\uD83D\uDE00\uD83D\uDE00");
        assertThat(codec.toJson(Push.of("bob", "m", "alice", "tenant", "t", "secret text", 0, 1)))
                .doesNotContain("preview").doesNotContain("secret text");
    }
}
