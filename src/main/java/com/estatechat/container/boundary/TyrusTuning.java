package com.estatechat.container.boundary;

import com.estatechat.container.control.FrameBufferBound;
import com.estatechat.container.control.SchedulerSwap;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.server.ServerContainer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Bounds what Tyrus buffers of a socket's unfinished frame (see {@link FrameBufferBound}), and takes
 * Tyrus's idle-timeout check off Payara's managed scheduler for this application's sessions
 * (see {@link com.estatechat.container.control.IdleCheckSkipper}), when the application starts, and
 * puts it back when it stops. Where the server is not Payara's Tyrus it does nothing; either way it
 * logs once what it did, and it never fails the deployment.
 *
 * <p>A listener, because the servlet container runs it after Tyrus's initializer has created the
 * application's WebSocket container and before any request (so before any WebSocket session).
 */
@WebListener
public class TyrusTuning implements ServletContextListener {

    static final String ENABLED = "chat.container.skip-idle-checks";
    static final String MAX_FRAME_BYTES = "chat.max-frame-bytes";

    private static final Logger LOG = Logger.getLogger(TyrusTuning.class.getName());

    private SchedulerSwap swap;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        boundFrameBuffer(event.getServletContext());
        try {
            if (!enabled()) {
                LOG.info(() -> ENABLED + "=false: Tyrus's idle-timeout checks are left as they are");
                return;
            }
            swap = SchedulerSwap.apply(event.getServletContext().getAttribute(ServerContainer.class.getName()));
            LOG.log(swap.level(), swap.outcome(), swap.failure().orElse(null));
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "Could not skip Tyrus's idle-timeout checks (left as they are)", e);
        }
    }

    /**
     * Before any connection: an anonymous socket could otherwise make the server hold 4 MB of a frame
     * it never finishes. Both values are taken by each upgrade. A size the deployer set in web.xml is kept.
     */
    private static void boundFrameBuffer(ServletContext context) {
        if (context.getInitParameter(FrameBufferBound.CHUNK_PARAMETER) != null) {
            LOG.info(() -> FrameBufferBound.CHUNK_PARAMETER + " is set in web.xml: Tyrus's incoming buffer is left"
                    + " as it says");
            return;
        }
        try {
            int maxFrameBytes = ConfigProvider.getConfig().getOptionalValue(MAX_FRAME_BYTES, Integer.class)
                    .orElse(65536);
            Object container = context.getAttribute(ServerContainer.class.getName());
            FrameBufferBound bound = FrameBufferBound.apply(container, maxFrameBytes);
            if (bound.applied()) {
                context.setInitParameter(FrameBufferBound.CHUNK_PARAMETER,
                        Integer.toString(FrameBufferBound.chunkBytes(maxFrameBytes)));
            }
            LOG.log(bound.level(), bound.outcome(), bound.failure().orElse(null));
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "Could not bound Tyrus's incoming buffer (left as it is)", e);
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (swap != null && swap.applied()) {
            LOG.info(swap.undo());
        }
    }

    private static boolean enabled() {
        return ConfigProvider.getConfig().getOptionalValue(ENABLED, Boolean.class).orElse(true);
    }
}
