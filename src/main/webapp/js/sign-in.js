import { chatSocketUrl, tokenProtocols } from './estate-chat-client.js';

/**
 * Everything about who the user is, in one place: the form, its checks, the socket URL's query
 * parameters and subprotocols per auth mode, the REST API's query parameters or header, what a
 * token says, and the per-tab memory that lets a reload reconnect.
 */

const USER_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const ROLES = ['admin', 'landlord', 'tenant'];
const REMEMBERED = 'estate-chat:sign-in';

/** The sign-in as the form gives it, or `{error}` in words. */
export function readSignIn(form) {
  const role = form.elements.role.value;
  const token = form.elements.access_token.value.trim();
  const userId = form.elements.id.value.trim() || (token ? subjectOf(token) : '');
  if (!USER_ID.test(userId)) {
    return { error: 'A user id is 1 to 64 letters, digits, "_", "." or "-".' };
  }
  if (!ROLES.includes(role)) {
    return { error: 'Choose a role.' };
  }
  return { userId, role, token };
}

/**
 * The claims of a JWT, read without checking the signature: only to name the user on this page
 * before the server, which does check it, answers with `connected`, and to know when to ask for a
 * new token. Null when the token is not a readable JWT.
 */
function claimsOf(token) {
  const [, payload = ''] = token.split('.');
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const claims = JSON.parse(json);
    return claims !== null && typeof claims === 'object' ? claims : null;
  } catch (e) {
    console.warn(`Estate Chat: the access token is not a readable JWT (${e.message})`);
    return null;
  }
}

export function subjectOf(token) {
  return String(claimsOf(token)?.sub ?? '');
}

/** When the token says it expires (`exp`), or null when it does not say. */
export function expiryOf(token) {
  const exp = claimsOf(token)?.exp;
  return typeof exp === 'number' ? new Date(exp * 1000) : null;
}

export function isValidUserId(id) {
  return USER_ID.test(id);
}

/**
 * The socket URL for a sign-in. Auth mode `none` trusts `id` and `role`; with a token (mode
 * `jwt`) the token says who the user is and what role they have, so only `id` goes in the URL and
 * the token goes as a subprotocol ({@link socketProtocolsFor}), out of proxies' access logs.
 */
export function socketUrlFor({ userId, role, token }, pageUrl = globalThis.location.href) {
  return token
    ? chatSocketUrl(pageUrl, { id: userId })
    : chatSocketUrl(pageUrl, { id: userId, role });
}

/** The subprotocols for a sign-in: `estate-chat.v1` and `bearer.<token>` with a token, else none. */
export function socketProtocolsFor({ token }) {
  return tokenProtocols(token);
}

/**
 * How a sign-in names itself to the REST API, as {@link socketUrlFor} does to the socket: mode
 * `none` by the `id` and `role` query parameters, a token by `Authorization: Bearer` (a header, so
 * that it stays out of URLs).
 */
export function apiAuthFor({ userId, role, token }) {
  return token ? { headers: { Authorization: `Bearer ${token}` } } : { query: { id: userId, role } };
}

/** Remembers a dev-mode sign-in for this tab only; a token is never written to storage. */
export function remember({ userId, role, token }) {
  if (token) {
    sessionStorage.removeItem(REMEMBERED);
  } else {
    sessionStorage.setItem(REMEMBERED, JSON.stringify({ userId, role }));
  }
}

export function remembered() {
  const stored = sessionStorage.getItem(REMEMBERED);
  if (!stored) {
    return null;
  }
  try {
    const { userId, role } = JSON.parse(stored);
    return isValidUserId(userId) && ROLES.includes(role) ? { userId, role, token: '' } : null;
  } catch (e) {
    console.warn(`Estate Chat: ignored an unreadable remembered sign-in (${e.message})`);
    return null;
  }
}

export function forget() {
  sessionStorage.removeItem(REMEMBERED);
}
