/**
 * The {@code /ws} endpoint ({@link com.estatechat.chat.boundary.ChatEndpoint}): JSR-356 callbacks that hand
 * each frame to {@code chat.control}; nothing here waits for the broker.
 */
package com.estatechat.chat.boundary;
