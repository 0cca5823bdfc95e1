package com.estatechat.history.control;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;

/**
 * Whether what a transaction committed is in the database's files, so that a process that dies now
 * (kill -9, the OOM killer, a JVM crash) keeps it. PostgreSQL's commit returns once it is there.
 * The embedded H2 writes committed changes in the background, within its {@code WRITE_DELAY} (half a
 * second): its mark is the store's version at the commit, written once H2 wrote a later one.
 * Forcing that write per commit instead ({@code CHECKPOINT SYNC}, or {@code WRITE_DELAY=0}) left
 * files H2 could not open after a kill and a restart (bench/results/2026-12-07-store.md), so the
 * writer waits for H2's own writes rather than causing more of them. Not a power-loss guarantee:
 * H2 does not sync the file on each write.
 */
@FunctionalInterface
public interface WrittenMark {

    /** For a database whose commit is written when it returns. */
    WrittenMark WRITTEN = () -> true;

    boolean isWritten();

    /**
     * Waits on the caller's thread until written, looking every 10 ms (H2 gives no signal), for
     * {@code atMost}: for a write answered right away (an erasure, a push mark), on a thread that
     * owns no timer.
     *
     * @return whether it is written
     */
    default boolean await(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!isWritten()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }

    /**
     * The mark of what {@code store} holds now. A store closed since counts as not written: a clean
     * close wrote everything, a failed one may not have, and which it was is not known here.
     */
    static WrittenMark of(MVStore store) {
        FileStore<?> file = store.getFileStore();
        if (file == null) {
            return WRITTEN; // in memory: nothing to wait for
        }
        long committed = store.getCurrentVersion();
        return () -> !store.isClosed() && file.lastChunkVersion() > committed;
    }
}
