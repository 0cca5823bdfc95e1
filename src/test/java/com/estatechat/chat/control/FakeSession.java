package com.estatechat.chat.control;

import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The container's side of one WebSocket, for unit tests of what the server does with it: frames
 * written are recorded and their send handlers kept, to be completed when a test says so (a client
 * that reads) or never (one that does not). {@link #onClose} runs on the closing thread, as Tyrus
 * calls {@code @OnClose}.
 */
final class FakeSession {

    final List<String> written = new CopyOnWriteArrayList<>();
    final List<SendHandler> unfinished = new CopyOnWriteArrayList<>();
    final List<java.nio.ByteBuffer> pings = new CopyOnWriteArrayList<>();
    volatile CloseReason closedWith;
    volatile boolean completeSends = true;
    /** When set, every send fails with it, while the session still says it is open (as Tyrus does). */
    volatile Throwable failSends;
    volatile Consumer<CloseReason> onClose = reason -> { };
    private final Map<String, Object> properties = new ConcurrentHashMap<>();

    final Session session = (Session) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
                case "getId" -> "fake-" + System.identityHashCode(this);
                case "isOpen" -> closedWith == null;
                case "getUserProperties" -> properties;
                case "getAsyncRemote" -> remote();
                case "close" -> {
                    CloseReason reason = args == null || args.length == 0 ? null : (CloseReason) args[0];
                    closedWith = reason;
                    onClose.accept(reason);
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "FakeSession";
                default -> throw new UnsupportedOperationException(method.getName());
            });

    private RemoteEndpoint.Async remote() {
        return (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "sendText" -> {
                        written.add((String) args[0]);
                        SendHandler handler = (SendHandler) args[1];
                        if (failSends != null) {
                            handler.onResult(new SendResult(failSends));
                        } else if (completeSends) {
                            handler.onResult(new SendResult());
                        } else {
                            unfinished.add(handler);
                        }
                        yield null;
                    }
                    case "sendPing" -> {
                        pings.add(((java.nio.ByteBuffer) args[0]).duplicate());
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
