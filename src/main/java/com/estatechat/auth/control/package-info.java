/**
 * How a caller is identified ({@link com.estatechat.auth.control.IdentityResolver}: origin, then the mode's
 * authenticator: none, header or JWT with keys from a secret, a PEM or a JWKS) and what an identity may do
 * ({@link com.estatechat.auth.control.Permissions}). Settings: {@code chat.auth.*}.
 */
package com.estatechat.auth.control;
