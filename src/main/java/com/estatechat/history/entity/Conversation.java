package com.estatechat.history.entity;

/**
 * One of a user's conversations: the peer (a user id, or a role key for the user's own
 * broadcasts), the newest message between them, and how many of the peer's messages the user has
 * not read.
 */
public record Conversation(String peerId, StoredMessage lastMessage, long unread) {
}
