package com.estatechat.chat.limits;


/**
 * What one user may still do on this node: its frame rate ({@link FrameRateLimit}) and its share
 * of each recipient's inbox ({@link InboxShares}). Kept by {@link UserBudgets}, apart from the
 * user's connections, so that closing the last connection and opening another gives nothing back.
 */
public final class UserBudget {

    private final FrameRateLimit frames;
    private final InboxShares inboxShares = new InboxShares();

    public UserBudget(FrameRateLimit frames) {
        this.frames = frames;
    }

    public FrameRateLimit frames() {
        return frames;
    }

    public InboxShares inboxShares() {
        return inboxShares;
    }

    /** Whether this budget is as a new one would be (after {@code inboxShares} forgot what it may). */
    public boolean whole() {
        return frames.whole() && inboxShares.isEmpty();
    }
}
