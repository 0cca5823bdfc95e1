package com.estatechat.auth.boundary;

import com.estatechat.auth.control.Admission;
import com.estatechat.auth.control.IdentityResolver;
import com.estatechat.auth.entity.HandshakeCredentials;
import com.estatechat.chat.control.SessionRegistry;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * Checks a WebSocket handshake before the upgrade, so that a refused client gets a plain HTTP
 * status (400, 401, 403, or 429 when the user has {@code chat.session.max-per-user} sessions on
 * this node already) and no WebSocket is ever opened for it.
 */
@WebFilter(urlPatterns = "/ws", asyncSupported = true)
public class HandshakeFilter extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(HandshakeFilter.class.getName());

    @Inject
    IdentityResolver identities;

    @Inject
    SessionRegistry sessions;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Admission admission = identities.resolve(new HandshakeCredentials(request::getParameter, request::getHeader));
        if (admission.admitted() && !sessions.hasRoomFor(admission.identity().userId())) {
            LOG.fine(() -> "Refused a handshake of " + admission.identity().userId() + " from "
                    + request.getRemoteAddr() + ": 429, chat.session.max-per-user reached");
            response.setStatus(429);
            response.setContentType("text/plain;charset=UTF-8");
            response.getWriter().write("too many sessions for this user");
            return;
        }
        if (admission.admitted()) {
            chain.doFilter(request, response);
            return;
        }
        LOG.fine(() -> "Refused a handshake from " + request.getRemoteAddr() + ": " + admission.refusal().status()
                + " " + admission.refusal().reason());
        response.setStatus(admission.refusal().status());
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write(admission.refusal().reason());
    }
}
