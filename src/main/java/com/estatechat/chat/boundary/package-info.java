/**
 * The {@code /ws} endpoint ({@link com.estatechat.chat.boundary.ChatEndpoint}): JSR-356 callbacks that hand
 * each frame to {@code chat.control}; nothing here waits for the broker. Before the upgrade,
 * {@link com.estatechat.chat.boundary.HandshakeFilter} admits the client (origin, identity, session cap)
 * or answers with an HTTP status.
 */
package com.estatechat.chat.boundary;
