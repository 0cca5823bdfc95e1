package com.estatechat.chat.control;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * How many frames one user may send on this node, across all its connections
 * ({@code chat.rate-limit.*}). A message costs a token; so does every refused frame (bad JSON, an
 * ack that settles nothing). An ack that settles a delivery costs nothing: it
 * answers a frame the server sent, and the prefetch bounds those. A client told
 * {@code rate_limited} a burst's worth of times in a row without slowing down is closed.
 */
final class FrameRateLimit {

    private final Bucket frames;
    private final Bucket warnings;

    FrameRateLimit(int perSecond, int burst) {
        frames = bucket(perSecond, burst);
        warnings = bucket(perSecond, burst);
    }

    private static Bucket bucket(int perSecond, int burst) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)).build())
                .build();
    }

    /** Takes a token for a frame that does work; false when the user sends too fast. */
    boolean tryAcquire() {
        return frames.tryConsume(1);
    }

    /** Whether the client may be told {@code rate_limited} once more; false: close it instead. */
    boolean mayWarn() {
        return warnings.tryConsume(1);
    }
}
