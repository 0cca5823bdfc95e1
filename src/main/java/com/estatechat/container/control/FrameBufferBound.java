package com.estatechat.container.control;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.logging.Level;

/**
 * Bounds the bytes Tyrus holds of one socket's unfinished frame. Tyrus passes a frame to the
 * application only once it has all of it, and buffers up to {@code incomingBufferSize} bytes
 * (4,194,315 by default) per socket until then, before any endpoint code or authentication runs.
 * The bound is set on this application's {@code TyrusWebSocketEngine} ({@code setIncomingBufferSize},
 * public but deprecated: the servlet container reads its only other knob, the context parameter
 * {@value #CHUNK_PARAMETER}, before any listener can set it); each connection takes it at its upgrade.
 * A frame over it closes the connection (Tyrus: 1011 {@code Buffer overflow.}).
 *
 * <p>The engine's buffer takes an unfinished frame plus the next chunk the servlet layer read, so the
 * chunk is bounded too ({@value #CHUNK_PARAMETER}, read by Tyrus at each upgrade), and the bound is a
 * frame plus a chunk: a client that sends frames of the largest allowed size back to back is never
 * refused. Reached by reflection, like {@link SchedulerSwap}: elsewhere (Undertow, which streams a
 * frame to a partial handler as it arrives) nothing is changed and {@link #outcome()} says why.
 */
public final class FrameBufferBound {

    public static final String CHUNK_PARAMETER = "org.glassfish.tyrus.servlet.incoming-buffer-size";
    static final String SERVER_CONTAINER = "org.glassfish.tyrus.spi.ServerContainer";
    static final String ENGINE = "org.glassfish.tyrus.core.TyrusWebSocketEngine";
    /** A WebSocket frame's header: 2 bytes, 8 of extended length, 4 of mask. */
    static final int FRAME_HEADER_BYTES = 14;

    private final boolean applied;
    private final Level level;
    private final String outcome;
    private final Throwable failure;

    private FrameBufferBound(boolean applied, Level level, String outcome, Throwable failure) {
        this.applied = applied;
        this.level = level;
        this.outcome = outcome;
        this.failure = failure;
    }

    /** The servlet layer's chunk: one frame of the largest allowed size. */
    public static int chunkBytes(int maxFrameBytes) {
        return maxFrameBytes + FRAME_HEADER_BYTES;
    }

    /** What Tyrus may hold of one socket's input: an unfinished frame and the chunk read after it. */
    public static int boundBytes(int maxFrameBytes) {
        return 2 * chunkBytes(maxFrameBytes);
    }

    /** Sets the bound on this Tyrus container's engine; never throws. */
    public static FrameBufferBound apply(Object webSocketContainer, int maxFrameBytes) {
        if (webSocketContainer == null) {
            return left("there is no WebSocket container in the servlet context");
        }
        try {
            ClassLoader loader = webSocketContainer.getClass().getClassLoader();
            Class<?> tyrusContainer;
            try {
                tyrusContainer = Class.forName(SERVER_CONTAINER, false, loader);
            } catch (ClassNotFoundException e) {
                tyrusContainer = null;
            }
            if (tyrusContainer == null || !tyrusContainer.isInstance(webSocketContainer)) {
                return left("the WebSocket container " + webSocketContainer.getClass().getName() + " is not Tyrus's");
            }
            Object engine = tyrusContainer.getMethod("getWebSocketEngine").invoke(webSocketContainer);
            Class<?> tyrusEngine = Class.forName(ENGINE, false, loader);
            if (!tyrusEngine.isInstance(engine)) {
                return left("its engine is a " + (engine == null ? "null" : engine.getClass().getName()));
            }
            Field size = tyrusEngine.getDeclaredField("incomingBufferSize");
            size.setAccessible(true);
            int before = size.getInt(engine);
            int bound = boundBytes(maxFrameBytes);
            Method setter = tyrusEngine.getMethod("setIncomingBufferSize", int.class);
            setter.invoke(engine, bound);
            if (size.getInt(engine) != bound) {
                return left("setting the engine's incomingBufferSize did not hold");
            }
            return new FrameBufferBound(true, Level.INFO, "Tyrus holds at most " + bound + " bytes of a socket's"
                    + " unfinished frame (was " + before + "), read in chunks of at most " + chunkBytes(maxFrameBytes)
                    + ": twice chat.max-frame-bytes and two frame headers", null);
        } catch (NoSuchFieldException | NoSuchMethodException | ClassNotFoundException e) {
            return left("this Tyrus has no " + e.getMessage());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return new FrameBufferBound(false, Level.WARNING,
                    "Could not bound Tyrus's incoming buffer (left as it is): " + e, e);
        }
    }

    private static FrameBufferBound left(String why) {
        return new FrameBufferBound(false, Level.INFO, "The container's incoming frame buffer is left as it is: "
                + why, null);
    }

    public boolean applied() {
        return applied;
    }

    /** One sentence for the log: what was done, or why nothing was. */
    public String outcome() {
        return outcome;
    }

    /** INFO, or WARNING when it failed unexpectedly. */
    public Level level() {
        return level;
    }

    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }
}
