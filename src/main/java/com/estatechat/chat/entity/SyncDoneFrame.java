package com.estatechat.chat.entity;

/**
 * Ends the answer to a {@code sync}: {@code count} messages were sent, the last of them
 * {@code lastMessageId} (or none); {@code more} says the store has more after it (sync again
 * from there).
 */
public record SyncDoneFrame(String type, int count, String lastMessageId, boolean more) {

    public static SyncDoneFrame of(int count, String lastMessageId, boolean more) {
        return new SyncDoneFrame("synced", count, lastMessageId, more);
    }
}
