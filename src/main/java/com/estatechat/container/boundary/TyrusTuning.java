package com.estatechat.container.boundary;

import com.estatechat.container.control.SchedulerSwap;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.server.ServerContainer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Takes Tyrus's idle-timeout check off Payara's managed scheduler for this application's sessions
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

    private static final Logger LOG = Logger.getLogger(TyrusTuning.class.getName());

    private SchedulerSwap swap;

    @Override
    public void contextInitialized(ServletContextEvent event) {
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
