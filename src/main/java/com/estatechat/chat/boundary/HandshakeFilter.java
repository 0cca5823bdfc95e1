package com.estatechat.chat.boundary;

import com.estatechat.auth.control.Admission;
import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.auth.entity.HandshakeRefusal;
import com.estatechat.chat.control.ChatMetrics;
import com.estatechat.chat.control.SessionRegistry;
import com.estatechat.metrics.StepMeter;
import com.estatechat.logging.LogText;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.logging.Logger;

/**
 * Checks a WebSocket handshake before the upgrade, so that a refused client gets a plain HTTP
 * status (400, 401, 403, or 429 when the user has {@code chat.session.max-per-user} sessions on
 * this node already) and no WebSocket is ever opened for it. The body only names the status: why
 * it was refused (a library's message, the Origin it sent) is for the log, at FINE.
 */
@WebFilter(urlPatterns = "/ws", asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    @Inject
    IdentityResolver identities;

    @Inject
    SessionRegistry sessions;

    @Inject
    ChatMetrics metrics;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        StepMeter.Start started = metrics.handshake().start();
        try {
            check(request, response, chain);
        } finally {
            metrics.handshake().stop(started);
        }
    }

    private void check(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        StepMeter.Start resolving = metrics.auth().start();
        Admission admission = identities.resolve(
                new HandshakeCredentials(request::getParameter, name -> header(request, name)), request.getRemoteAddr());
        metrics.auth().stop(resolving);
        if (admission.admitted() && !sessions.hasRoomFor(admission.identity().userId())) {
            LOG.fine(() -> "Refused a handshake of " + admission.identity().userId() + " from "
                    + request.getRemoteAddr() + ": 429, chat.session.max-per-user reached");
            response.setStatus(429);
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().write(body(429));
            return;
        }
        if (admission.admitted()) {
            chain.doFilter(request, response);
            return;
        }
        HandshakeRefusal refusal = admission.refusal();
        LOG.fine(() -> "Refused a handshake from " + request.getRemoteAddr() + ": " + refusal.status() + " "
                + LogText.of(refusal.reason()));
        response.setStatus(refusal.status());
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write(body(refusal.status()));
    }

    /** The same words for every refusal of a status. */
    static String body(int status) {
        return switch (status) {
            case 400 -> "bad request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 429 -> "too many requests";
            default -> "refused";
        };
    }

    /** All values of a header, joined as HTTP allows (a client may offer its subprotocols on several lines). */
    private static String header(HttpServletRequest request, String name) {
        Enumeration<String> values = request.getHeaders(name);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        return String.join(", ", Collections.list(values));
    }
}
