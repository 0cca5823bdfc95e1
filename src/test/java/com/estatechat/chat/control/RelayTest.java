package com.estatechat.chat.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.auth.entity.Identity;
import com.estatechat.auth.entity.Role;
import com.estatechat.chat.entity.ChatCommand;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayTest {

    final List<CloseReason> closes = new ArrayList<>();
    final Relay cut = new Relay();

    @Test
    void aFrameThatFailsUnexpectedlyClosesWith1011InsteadOfEscapingTheHandler() {
        cut.parser = new FrameParser(new FrameCodec(), 10) {
            @Override
            public ChatCommand parse(String text, Identity sender) {
                throw new IllegalStateException("a bug");
            }
        };
        ChatConnection connection = new ChatConnection(session(), Identity.of("alice", Role.TENANT), "{}", 10, 1 << 20);

        cut.onText(connection, "{}");

        assertThat(closes).singleElement().extracting(reason -> reason.getCloseCode().getCode()).isEqualTo(1011);
    }

    /** A session that is open and records how it was closed. */
    private Session session() {
        return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "isOpen" -> true;
                    case "getId" -> "s1";
                    case "close" -> {
                        closes.add((CloseReason) args[0]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
