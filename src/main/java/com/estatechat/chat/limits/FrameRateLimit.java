package com.estatechat.chat.limits;

import com.estatechat.settings.OperationalSettings;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How many frames one user may send on this node, across all its connections and across its
 * reconnections ({@code chat.rate-limit.*}; kept in the user's {@link UserBudget}). A message costs a token; so does every refused frame (bad JSON, an
 * ack that settles nothing). An ack that settles a delivery costs nothing: it
 * answers a frame the server sent, and the prefetch bounds those. A client told
 * {@code rate_limited} a burst's worth of times in a row without slowing down is closed.
 * The limits are live: each use compares the rate in force with the one the buckets were built
 * for, and a changed one replaces their configuration, keeping the tokens a user has (at most the
 * new burst).
 */
public final class FrameRateLimit {

    /** A rate as the settings give it. */
    public record Rate(int perSecond, int burst) {
        static Rate of(OperationalSettings settings) {
            return new Rate(settings.ratePerSecond(), settings.rateBurst());
        }
    }

    private final Supplier<Rate> inForce;
    private final Bucket frames;
    private final Bucket warnings;
    private volatile Rate applied;

    /** A fixed rate. */
    public FrameRateLimit(int perSecond, int burst) {
        this(() -> new Rate(perSecond, burst));
    }

    public FrameRateLimit(Supplier<Rate> inForce) {
        this.inForce = inForce;
        applied = inForce.get();
        frames = Bucket.builder().addLimit(limit(applied)).build();
        warnings = Bucket.builder().addLimit(limit(applied)).build();
    }

    private static Bandwidth limit(Rate rate) {
        return Bandwidth.builder().capacity(rate.burst()).refillGreedy(rate.perSecond(), Duration.ofSeconds(1)).build();
    }

    /** Takes a token for a frame that does work; false when the user sends too fast. */
    public boolean tryAcquire() {
        follow();
        return frames.tryConsume(1);
    }

    /** Whether the client may be told {@code rate_limited} once more; false: close it instead. */
    public boolean mayWarn() {
        follow();
        return warnings.tryConsume(1);
    }

    /** Whether both buckets are full: the user has spent nothing that has not come back. */
    public boolean whole() {
        long burst = applied.burst();
        return frames.getAvailableTokens() >= burst && warnings.getAvailableTokens() >= burst;
    }

    /**
     * Two threads that race here may both replace, which only repeats the work; one that read an
     * older rate is corrected by the next use, which sees the newer rate differ from what it left.
     */
    private void follow() {
        Rate now = inForce.get();
        if (now.equals(applied)) {
            return;
        }
        applied = now;
        BucketConfiguration configuration = BucketConfiguration.builder().addLimit(limit(now)).build();
        frames.replaceConfiguration(configuration, TokensInheritanceStrategy.AS_IS);
        warnings.replaceConfiguration(configuration, TokensInheritanceStrategy.AS_IS);
    }
}
