package com.estatechat.chat.control;

import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM runs the chat's drain before the container begins to stop, then goes on to the JVM's own
 * handler (the shutdown hooks: the container's stop, which undeploys the application). Payara Micro's
 * hook tears its HTTP listener down while it undeploys, so a drain that waited for the undeploy lost
 * its connections part-way: nothing it answered or closed reached the clients.
 */
final class StopSignal implements SignalHandler {

    private static final Logger LOG = Logger.getLogger(StopSignal.class.getName());
    private static final String TERM = "TERM";

    private final Runnable drain;
    /** The application's: the signal's thread has none, and the container's proxies need it. */
    private final ClassLoader loader = Thread.currentThread().getContextClassLoader();
    /** The handler SIGTERM had before: set once, right after this one took its place. */
    private volatile SignalHandler previous;

    private StopSignal(Runnable drain) {
        this.drain = drain;
    }

    /**
     * Runs {@code drain} on SIGTERM, before the JVM's handler; empty where the JVM lets no one take
     * the signal (-Xrs, or no {@code sun.misc.Signal}): the undeploy's drain is then the only one.
     *
     * @return what gives the signal back ({@link #uninstall}), typed so that callers never name this class
     */
    static Optional<Runnable> install(Runnable drain) {
        try {
            StopSignal handler = new StopSignal(drain);
            handler.previous = Signal.handle(new Signal(TERM), handler);
            return Optional.of(handler::uninstall);
        } catch (IllegalArgumentException | LinkageError | SecurityException e) {
            LOG.log(Level.INFO, e, () -> "SIGTERM is not handled by the application: the chat drains when the"
                    + " container undeploys it");
            return Optional.empty();
        }
    }

    private void stop(Signal signal) {
        SignalHandler before = previous;
        try {
            if (before != null) {
                before.handle(signal);
                return;
            }
        } catch (UnsupportedOperationException e) {
            // the JVM's native default: nothing to call
        }
        Runtime.getRuntime().exit(128 + signal.getNumber());
    }

    /**
     * Gives SIGTERM back to the handler it had before (an undeploy: the next deployment installs its
     * own), unless another deployment took it since: that one calls this one's drain, which is over.
     */
    void uninstall() {
        try {
            Signal term = new Signal(TERM);
            SignalHandler current = Signal.handle(term, previous);
            if (current != this) {
                Signal.handle(term, current);
            }
        } catch (IllegalArgumentException | SecurityException e) {
            LOG.log(Level.FINE, e, () -> "SIGTERM's handler could not be put back");
        }
    }

    /** On the JVM's signal thread, which nothing else waits for. */
    @Override
    public void handle(Signal signal) {
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            drain.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, e, () -> "The chat's drain at SIGTERM failed; stopping all the same");
        } finally {
            thread.setContextClassLoader(before);
            stop(signal);
        }
    }
}
