/**
 * Who may connect, before the WebSocket upgrade and on the REST API:
 * {@link com.estatechat.auth.boundary.HandshakeFilter} answers with an HTTP status,
 * {@link com.estatechat.auth.boundary.ApiCaller} names a REST caller, {@code AuthReadiness} reports the mode.
 */
package com.estatechat.auth.boundary;
