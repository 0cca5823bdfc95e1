package com.estatechat.history.entity;

import java.util.Optional;

/** What became of a message for one recipient. It only moves forward: queued, delivered, read. */
public enum MessageStatus {
    QUEUED(1), DELIVERED(2), READ(3);

    private final int rank;

    MessageStatus(int rank) {
        this.rank = rank;
    }

    /** The value stored in {@code chat_message.status}. */
    public int rank() {
        return rank;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<MessageStatus> ofRank(int rank) {
        for (MessageStatus status : values()) {
            if (status.rank == rank) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
