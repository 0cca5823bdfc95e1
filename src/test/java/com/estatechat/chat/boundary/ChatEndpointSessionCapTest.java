package com.estatechat.chat.boundary;

import static org.assertj.core.api.Assertions.assertThat;

import com.estatechat.identity.Identity;
import com.estatechat.identity.Role;
import com.estatechat.chat.control.ChatConnection;
import com.estatechat.json.JsonCodec;
import com.estatechat.chat.control.ChatMetrics;
import com.estatechat.chat.control.Heartbeat;
import com.estatechat.chat.control.TestRegistries;
import com.estatechat.settings.ChatSettings;
import com.estatechat.settings.OperationalSettings;
import com.estatechat.settings.TestSettings;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Issue 22, item 9: {@code chat.session.max-per-user} holds when a user's handshakes come at once. */
class ChatEndpointSessionCapTest {

    private final ChatEndpoint cut = new ChatEndpoint();

    /**
     * Two connections of one user open together under a cap of 1, each held once its connection is
     * made until the other's is too: as wide a window between "is there room" and "joined" as the
     * code leaves. One is registered, the other closed with 1013 (two were registered before).
     */
    @Test
    void twoConnectionsOpenedAtOnceUnderACapOfOneLeaveOne() throws Exception {
        cut.live = TestSettings.live(Map.of(OperationalSettings.MAX_SESSIONS_PER_USER, "1"));
        cut.registry = TestRegistries.withoutBroker(cut.live);
        cut.settings = new ChatSettings() {
            @Override
            public int maxFrameBytes() {
                return 65536;
            }

            @Override
            public int sendQueueLimit() {
                return 100;
            }

            @Override
            public int sendQueueBytes() {
                return 1 << 20;
            }
        };
        cut.codec = new JsonCodec();
        cut.metrics = new ChatMetrics();
        cut.heartbeat = new Heartbeat() {
            @Override
            public void closeAtExpiry(ChatConnection connection) {
                // no expiry timers: the tokens of this test do not expire
            }
        };
        CyclicBarrier bothMade = new CyclicBarrier(2);
        List<AtomicReference<CloseReason>> closes = List.of(new AtomicReference<>(), new AtomicReference<>());

        ExecutorService handshakes = Executors.newFixedThreadPool(2);
        try {
            List<Future<Void>> opens = closes.stream().map(closed -> handshakes.submit(() -> {
                cut.open(session(bothMade, closed));
                return (Void) null;
            })).toList();
            for (Future<Void> open : opens) {
                open.get(10, TimeUnit.SECONDS);
            }
        } finally {
            handshakes.shutdownNow();
        }

        assertThat(cut.registry.sessionsOf("bob")).isEqualTo(1);
        assertThat(closes).filteredOn(closed -> closed.get() != null).singleElement()
                .satisfies(closed -> assertThat(closed.get().getCloseCode()).isEqualTo(CloseReason.CloseCodes.TRY_AGAIN_LATER));
    }

    /** A handshake's session whose user properties hold the thread that stores its connection until the other one did too. */
    private static Session session(CyclicBarrier bothMade, AtomicReference<CloseReason> closed) {
        Map<String, Object> properties = new ConcurrentHashMap<>() {
            @Override
            public Object put(String key, Object value) {
                if (value instanceof ChatConnection) {
                    try {
                        bothMade.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                        throw new IllegalStateException("the other connection was never made", e);
                    }
                }
                return super.put(key, value);
            }
        };
        properties.put(HandshakeConfigurator.IDENTITY, Identity.of("bob", Role.TENANT));
        return (Session) Proxy.newProxyInstance(ChatEndpointSessionCapTest.class.getClassLoader(),
                new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> "session-" + System.identityHashCode(proxy);
                    case "isOpen" -> closed.get() == null;
                    case "getUserProperties" -> properties;
                    case "setMaxIdleTimeout", "setMaxTextMessageBufferSize" -> null;
                    case "close" -> {
                        closed.set((CloseReason) args[0]);
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "session of bob";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
