package com.estatechat.container.control;

import java.lang.reflect.Field;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Level;

/**
 * Puts an {@link IdleCheckSkipper} in the place of the managed scheduler that Tyrus's WebSocket
 * container hands to each new session, and puts the managed one back. Tyrus is reached by
 * reflection, since the WAR is not built against it: on a server without Tyrus (WildFly) or with a
 * Tyrus laid out differently, nothing is changed and {@link #outcome()} says why.
 *
 * <p>What it changes, as read in the bytecode of Payara 6.2025.10 (Tyrus 2.1.5.payara-p2): each web
 * application has its own container ({@code TyrusServletContainerInitializer} creates one per
 * servlet context), whose {@code BaseContainer.managedScheduledExecutorService} (final, looked up
 * once from {@code java:comp/DefaultManagedScheduledExecutorService}) is what
 * {@code getScheduledExecutorService()} returns. A {@code TyrusSession} reads it once, in its
 * constructor, into its own {@code service} field, which it uses on every frame. So the swap must
 * happen before the first session (sessions opened earlier keep the managed scheduler), touches
 * this application's container only, and never the server's managed scheduler itself.
 */
public final class SchedulerSwap {

    static final String TYRUS_CONTAINER = "org.glassfish.tyrus.core.BaseContainer";
    static final String SCHEDULER_FIELD = "managedScheduledExecutorService";
    static final String IDLE_CHECK = "org.glassfish.tyrus.core.TyrusSession$IdleTimeoutCommand";

    private final Object container;
    private final Field field;
    private final IdleCheckSkipper skipper;
    private final Level level;
    private final String outcome;
    private final Throwable failure;

    private SchedulerSwap(Object container, Field field, IdleCheckSkipper skipper, Level level, String outcome,
            Throwable failure) {
        this.container = container;
        this.field = field;
        this.skipper = skipper;
        this.level = level;
        this.outcome = outcome;
        this.failure = failure;
    }

    /** Swaps the scheduler of this Tyrus container; never throws. */
    public static SchedulerSwap apply(Object webSocketContainer) {
        return apply(webSocketContainer, TYRUS_CONTAINER, SCHEDULER_FIELD, IDLE_CHECK);
    }

    static SchedulerSwap apply(Object container, String containerClass, String fieldName, String idleCheckClass) {
        if (container == null) {
            return left("there is no WebSocket container in the servlet context");
        }
        try {
            Class<?> tyrus = ancestor(container.getClass(), containerClass);
            if (tyrus == null) {
                return left("the WebSocket container " + container.getClass().getName() + " is not Tyrus's");
            }
            Field field = tyrus.getDeclaredField(fieldName);
            if (!ScheduledExecutorService.class.isAssignableFrom(field.getType())) {
                return left(containerClass + "." + fieldName + " is a " + field.getType().getName()
                        + ", not a scheduler");
            }
            Class<?> idleCheck = Class.forName(idleCheckClass, false, tyrus.getClassLoader());
            field.setAccessible(true);
            Object current = field.get(container);
            if (current instanceof IdleCheckSkipper already) {
                return new SchedulerSwap(container, field, already, Level.INFO,
                        "Tyrus's idle-timeout checks were already skipped for this application", null);
            }
            if (!(current instanceof ScheduledExecutorService managed)) {
                return left(containerClass + "." + fieldName + " is empty: this Tyrus schedules on a plain"
                        + " executor of its own, without the managed scheduler's per-task cost");
            }
            IdleCheckSkipper skipper = new IdleCheckSkipper(managed, idleCheck);
            // a final field: Field.set writes it (setAccessible, instance field), with a volatile store
            field.set(container, skipper);
            if (field.get(container) != skipper) {
                return left("writing " + containerClass + "." + fieldName + " did not hold");
            }
            return new SchedulerSwap(container, field, skipper, Level.INFO,
                    "Tyrus's idle-timeout checks that are due at once (sessions without an idle timeout) are"
                            + " skipped for this application: " + container.getClass().getName() + " now gives"
                            + " its sessions an IdleCheckSkipper in front of " + managed.getClass().getName(),
                    null);
        } catch (NoSuchFieldException | ClassNotFoundException e) {
            return left("this Tyrus has no " + e.getMessage());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return new SchedulerSwap(null, null, null, Level.WARNING,
                    "Could not skip Tyrus's idle-timeout checks (left as they are): " + e, e);
        }
    }

    private static SchedulerSwap left(String why) {
        return new SchedulerSwap(null, null, null, Level.INFO,
                "Tyrus's idle-timeout checks are left as they are: " + why, null);
    }

    private static Class<?> ancestor(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** Whether sessions opened from now on get the skipper. */
    public boolean applied() {
        return skipper != null;
    }

    /** The skipper in place, if the swap was applied. */
    public Optional<IdleCheckSkipper> skipper() {
        return Optional.ofNullable(skipper);
    }

    /** One sentence for the log: what was done, or why nothing was. */
    public String outcome() {
        return outcome;
    }

    /** INFO, or WARNING when the swap failed unexpectedly. */
    public Level level() {
        return level;
    }

    /** The unexpected failure, if any. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Puts the managed scheduler back, if the skipper is still in place. Sessions still open keep
     * the skipper, which owns no thread and needs no shutdown.
     *
     * @return what was done, for the log
     */
    public String undo() {
        if (skipper == null) {
            return "nothing to put back";
        }
        try {
            if (field.get(container) != skipper) {
                return "the container's scheduler was replaced by someone else: left as it is";
            }
            field.set(container, skipper.managed());
            return "the managed scheduler is back in " + container.getClass().getName() + " ("
                    + skipper.skipped() + " idle-timeout checks skipped, " + skipper.passedOn() + " tasks passed on)";
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return "could not put the managed scheduler back: " + e;
        }
    }
}
