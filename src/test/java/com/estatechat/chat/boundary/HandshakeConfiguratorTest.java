package com.estatechat.chat.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HandshakeConfiguratorTest {

    final HandshakeConfigurator cut = new HandshakeConfigurator();

    @Test
    void selectsTheChatProtocolAndNeverTheBearerOne() {
        assertThat(cut.getNegotiatedSubprotocol(List.of(), List.of("estate-chat.v1", "bearer.abc.def.ghi")))
                .isEqualTo("estate-chat.v1");
        assertThat(cut.getNegotiatedSubprotocol(List.of(), List.of("bearer.abc.def.ghi, estate-chat.v1")))
                .isEqualTo("estate-chat.v1");
    }

    @Test
    void selectsNothingWhenTheChatProtocolIsNotOffered() {
        assertThat(cut.getNegotiatedSubprotocol(List.of(), List.of("bearer.abc.def.ghi"))).isEmpty();
        assertThat(cut.getNegotiatedSubprotocol(List.of(), List.of())).isEmpty();
    }
}
