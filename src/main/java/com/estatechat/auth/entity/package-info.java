/**
 * What authentication works with: the configured {@link com.estatechat.auth.entity.AuthMode}, the
 * credentials a handshake carries and why one was refused. Values only.
 */
package com.estatechat.auth.entity;
