/**
 * Who calls the REST API: {@link com.estatechat.auth.boundary.ApiCaller} names a REST caller,
 * {@code AuthReadiness} reports the mode. The WebSocket handshake is checked in {@code chat.boundary}.
 */
package com.estatechat.auth.boundary;
