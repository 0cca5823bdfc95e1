package com.estatechat.container.boundary;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * What HTTP/2 leaves behind on Payara, whose listeners speak HTTP/1.1 only
 * (payara-config/pre-boot-commands.asadmin: Grizzly's HTTP/2 can deadlock threads for good).
 * <ul>
 * <li>A request that asks to upgrade to HTTP/2 in clear text ({@code Upgrade: h2c}, as Java's
 * HttpClient does by default) and carries a body: Grizzly without HTTP/2 takes the body for the
 * upgraded protocol's and never hands it to the application, so the request waited 30 s and then
 * failed. It is answered 400 at once, saying to send HTTP/1.1. Without a body it is served.</li>
 * <li>A request that still came over HTTP/2 (a Payara Server whose listeners were not changed):
 * the operator is told, once.</li>
 * </ul>
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class Http2Guard extends HttpFilter {

    private static final Logger LOG = Logger.getLogger(Http2Guard.class.getName());
    static final String REFUSAL = "{\"error\":\"bad_request\",\"message\":\"this server speaks HTTP/1.1 only:"
            + " send the request without Upgrade: h2c (Java's HttpClient: version HTTP_1_1)\"}";

    private final AtomicBoolean warned = new AtomicBoolean();
    /** Grizzly's behaviour only: Undertow (WildFly) upgrades to h2c or reads the body as HTTP/1.1. */
    private volatile boolean onGrizzly;

    @Override
    public void init() {
        String server = getServletContext().getServerInfo();
        onGrizzly = server != null && (server.contains("Payara") || server.contains("GlassFish"));
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (onGrizzly && asksForH2cWithABody(request)) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            response.setHeader("Connection", "close");
            response.setContentType("application/json");
            response.getOutputStream().write(REFUSAL.getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (onGrizzly && request.getProtocol().startsWith("HTTP/2") && warned.compareAndSet(false, true)) {
            LOG.warning("A request came over HTTP/2 on port " + request.getLocalPort() + ". On Payara, HTTP/2 can"
                    + " deadlock the server's threads (docs/operations.md, Deploying): set http2-enabled=false on"
                    + " every HTTP listener's protocol, as payara-config/pre-boot-commands.asadmin does.");
        }
        chain.doFilter(request, response);
    }

    static boolean asksForH2cWithABody(HttpServletRequest request) {
        String upgrade = request.getHeader("Upgrade");
        if (upgrade == null || !upgrade.toLowerCase(Locale.ROOT).contains("h2c")) {
            return false;
        }
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }
}
