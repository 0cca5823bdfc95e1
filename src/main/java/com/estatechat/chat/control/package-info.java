/**
 * The delivery core on the chat's side: {@code SessionRegistry} (every connection, by user),
 * {@code OnlineUser} (one user as an actor on its lane: its consumer and what it holds unacked),
 * {@code ChatConnection} (a socket's one writer), {@code Relay} (what a frame does: send, ack, read, sync),
 * receipts ({@code ReceiptCoalescer}), the broker message format ({@code InboxMessages}) and the
 * heartbeat. What a user may use lives in {@code chat.limits}. Read docs/design.md before changing it.
 */
package com.estatechat.chat.control;
