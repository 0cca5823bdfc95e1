package com.estatechat.container.boundary;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Tells the operator, once, that a listener speaks HTTP/2. On Payara, Grizzly's HTTP/2 can deadlock
 * threads for good when a client's GOAWAY meets a response being finished (the conversation store's
 * reads among them); payara-config/pre-boot-commands.asadmin turns it off, and a Payara Server
 * needs the same by hand.
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class Http2Warning extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(Http2Warning.class.getName());

    private final AtomicBoolean warned = new AtomicBoolean();

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request.getProtocol().startsWith("HTTP/2") && warned.compareAndSet(false, true)) {
            LOG.warning("A request came over HTTP/2 on port " + request.getLocalPort() + ". On Payara, HTTP/2 can"
                    + " deadlock the server's threads (docs/operations.md, Deploying): set http2-enabled=false on"
                    + " every HTTP listener's protocol, as payara-config/pre-boot-commands.asadmin does.");
        }
        chain.doFilter(request, response);
    }
}
