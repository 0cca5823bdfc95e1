package com.estatechat.container.boundary;

import com.estatechat.container.control.FrameGuard;
import com.estatechat.settings.ChatSettings;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.util.Optional;

/**
 * Puts a {@link FrameGuard} under each WebSocket of {@code /ws} and {@code /mqtt} when the container is
 * Tyrus, which reads a whole frame into memory before the endpoint sees any of it: Tyrus's upgrade
 * handler then reads the socket through the guard ({@link GuardedUpgrade}). Elsewhere (Undertow streams
 * frames to the endpoints' partial handlers) requests pass as they are.
 */
@WebFilter(urlPatterns = {"/ws", "/mqtt"}, asyncSupported = true)
public class FrameGuardFilter extends HttpFilter {

    private static final String TYRUS_PACKAGE = "org.glassfish.tyrus.";
    /** The guard of the handshake this thread is in: Tyrus runs the configurator within this filter's chain. */
    private static final ThreadLocal<FrameGuard> HANDSHAKING = new ThreadLocal<>();

    @Inject
    ChatSettings settings;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getHeader("Sec-WebSocket-Key") == null || !onTyrus(request)) {
            chain.doFilter(request, response);
            return;
        }
        FrameGuard guard = new FrameGuard(settings.maxFrameBytes());
        HANDSHAKING.set(guard);
        try {
            chain.doFilter(new GuardedRequest(request, guard), response);
        } finally {
            HANDSHAKING.remove();
        }
    }

    /** The guard of the handshake in progress on this thread, if this filter put one there. */
    static Optional<FrameGuard> ofThisHandshake() {
        return Optional.ofNullable(HANDSHAKING.get());
    }

    private static boolean onTyrus(HttpServletRequest request) {
        Object container = request.getServletContext().getAttribute(ServerContainer.class.getName());
        return container != null && container.getClass().getName().startsWith(TYRUS_PACKAGE);
    }

    /** Upgrades with the container's handler for a {@link GuardedUpgrade} around the one Tyrus asked for. */
    private static final class GuardedRequest extends HttpServletRequestWrapper {

        private final FrameGuard guard;

        GuardedRequest(HttpServletRequest request, FrameGuard guard) {
            super(request);
            this.guard = guard;
        }

        @Override
        public <T extends HttpUpgradeHandler> T upgrade(Class<T> handlerClass) throws IOException, ServletException {
            T handler;
            try {
                handler = handlerClass.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new ServletException("Cannot create the upgrade handler " + handlerClass.getName(), e);
            }
            super.upgrade(GuardedUpgrade.class).guard(handler, guard);
            return handler;
        }
    }
}
