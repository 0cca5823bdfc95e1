package com.estatechat.container.boundary;

import com.estatechat.container.control.IdleCheckSkipper;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.lang.reflect.Field;

/**
 * Test-only: reports, as {@code key=value} lines, what Tyrus's container of this application holds
 * in {@code BaseContainer.managedScheduledExecutorService}, read by reflection independently of
 * {@code SchedulerSwap}, and the skipper's counts when it is one.
 */
@WebServlet("/test/tyrus-scheduler")
public class SchedulerProbe extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object container = getServletContext().getAttribute(ServerContainer.class.getName());
        StringBuilder out = new StringBuilder("container=").append(container.getClass().getName()).append('\n');
        try {
            Class<?> base = container.getClass();
            while (!base.getName().equals("org.glassfish.tyrus.core.BaseContainer")) {
                base = base.getSuperclass();
            }
            Field field = base.getDeclaredField("managedScheduledExecutorService");
            field.setAccessible(true);
            Object scheduler = field.get(container);
            out.append("scheduler=").append(scheduler.getClass().getName()).append('\n');
            if (scheduler instanceof IdleCheckSkipper skipper) {
                out.append("managed=").append(skipper.managed().getClass().getName()).append('\n')
                        .append("skipped=").append(skipper.skipped()).append('\n')
                        .append("passedOn=").append(skipper.passedOn()).append('\n');
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            out.append("error=").append(e).append('\n');
        }
        response.setContentType("text/plain");
        response.getWriter().write(out.toString());
    }
}
