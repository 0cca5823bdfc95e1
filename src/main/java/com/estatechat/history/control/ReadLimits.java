package com.estatechat.history.control;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Each user's share of the store's reading threads ({@code chat.history.read-limit.*}): at most
 * {@code inFlight} reads of one user waiting or running at once, and {@code perSecond} on average
 * with bursts of {@code burst}. A read past either is refused before it queues, so a flood costs
 * a map look-up and never takes the line the other users wait in.
 * <p>
 * Concurrency: any thread. A user's entry changes only inside the map's {@code compute} (its bin
 * lock, held for a few arithmetic steps, nothing called under it). An entry with nothing in flight
 * and a full burst is as good as none; such entries are swept at most once a {@link #SWEEP_EVERY}.
 */
final class ReadLimits {

    static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

    /** One user's reads: guarded by the map's bin lock. */
    private static final class Reader {
        int inFlight;
        /** When the bucket is full again (the rate's theoretical arrival time), in the clock's nanoseconds. */
        long fullAt;
    }

    private final int inFlight;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final LongSupplier clock;
    private final ConcurrentMap<String, Reader> readers = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    ReadLimits(int inFlight, int perSecond, int burst, LongSupplier clock) {
        this.inFlight = inFlight;
        this.intervalNanos = Duration.ofSeconds(1).toNanos() / perSecond;
        this.toleranceNanos = intervalNanos * burst;
        this.clock = clock;
        this.lastSweep = new AtomicLong(clock.getAsLong());
    }

    /**
     * Takes a place for one read of {@code userId}; give it back with {@link #done}.
     *
     * @return empty when admitted; else how long the user should wait before it reads again
     */
    Optional<Duration> admit(String userId) {
        long now = clock.getAsLong();
        sweepIfDue(now);
        long[] refusedForNanos = {0};
        readers.compute(userId, (id, reader) -> {
            Reader r = reader != null ? reader : new Reader();
            long fullAt = Math.max(r.fullAt, now);
            if (r.inFlight >= inFlight) {
                // no finer hint: a read in flight ends when the database answers
                refusedForNanos[0] = Math.max(intervalNanos, Duration.ofMillis(100).toNanos());
            } else if (fullAt + intervalNanos - now > toleranceNanos) {
                refusedForNanos[0] = fullAt + intervalNanos - now - toleranceNanos;
            } else {
                r.inFlight++;
                r.fullAt = fullAt + intervalNanos;
            }
            return r;
        });
        return refusedForNanos[0] == 0 ? Optional.empty() : Optional.of(Duration.ofNanos(refusedForNanos[0]));
    }

    /** The read {@link #admit} let in has ended. */
    void done(String userId) {
        readers.computeIfPresent(userId, (id, reader) -> {
            reader.inFlight--;
            return reader;
        });
    }

    /** Users with an entry: a test's view of what is kept. */
    int users() {
        return readers.size();
    }

    private void sweepIfDue(long now) {
        long last = lastSweep.get();
        if (now - last < SWEEP_EVERY.toNanos() || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        readers.keySet().forEach(id -> readers.computeIfPresent(id,
                (key, reader) -> reader.inFlight == 0 && reader.fullAt <= now ? null : reader));
    }
}
