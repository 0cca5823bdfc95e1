package com.estatechat.mqtt.control;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.websocket.Session;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 22, item 8: what a client sends before it signs in cannot write a line of its own into the log. */
class MqttProtocolLogTest {

    private final Logger logger = Logger.getLogger(MqttProtocol.class.getName());
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            lines.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level levelBefore;

    @BeforeEach
    void capture() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(capture);
    }

    @AfterEach
    void release() {
        logger.removeHandler(capture);
        logger.setLevel(levelBefore);
    }

    @Test
    void aProtocolNameWithANewlineIsLoggedEscaped() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        MqttPackets.string(body, "MQTT\nSEVERE: forged line");
        body.write(4);
        body.write(0x02);
        body.write(0);
        body.write(30);
        MqttPackets.string(body, "client");

        new MqttProtocol().received(session(), ByteBuffer.wrap(MqttPackets.packet(0x10, body.toByteArray())));

        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).doesNotContain("\n"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("MQTT\\nSEVERE: forged line"));
    }

    private static MqttSession session() {
        Session session = (Session) Proxy.newProxyInstance(MqttProtocolLogTest.class.getClassLoader(),
                new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> "s1";
                    case "isOpen" -> true;
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new MqttSession(session, Map.of(), Map.of(), null, new MqttDecoder(65536));
    }
}
