/**
 * The server's conversation store over HTTP: the signed-in user's conversations and each one's
 * history, page by page. No DOM access here, like the protocol module: another front end can reuse
 * it as it is. The API is documented in docs/protocol.md, section "Browser client".
 */

/** How long a request may take before the page stops waiting and shows what it has. */
const TIMEOUT_MS = 15_000;

/** A failed request: `status` is the HTTP status, or 0 when no answer came (`code` network or timeout). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** What a failed history request means to the person looking at the page. */
export function describeApiError(error) {
  switch (error?.status) {
    case 503:
      return 'Your conversation history is not available right now. Showing what this browser kept; the chat works as usual.';
    case 401:
    case 403:
      return 'The server refused to show your conversation history. Showing what this browser kept.';
    case 0:
      return 'The server did not answer with your conversation history. Showing what this browser kept.';
    default:
      return `Your conversation history could not be loaded (${error?.message ?? error}). Showing what this browser kept.`;
  }
}

/** A stored message as the API gives it, in the names the protocol module's events use. */
function messageOf(json) {
  return {
    messageId: json.message_id,
    senderId: json.sender_id,
    senderRole: json.sender_role,
    targetId: json.target_id,
    text: json.message,
    sentAt: json.sent_at,
    status: json.status,
    clientMsgId: json.client_msg_id ?? null,
    deliveredAt: json.delivered_at ?? null,
    readAt: json.read_at ?? null,
  };
}

/**
 * `GET api/conversations` and `GET api/conversations/{peer}/messages`, relative to the page, so
 * that it works under any context root. The caller names itself as the WebSocket handshake does:
 * `auth()` gives the query parameters (mode none: `id`, `role`) and the headers (mode jwt:
 * `Authorization: Bearer`) for each request, so that a renewed token goes into the next one.
 */
export class ConversationsApi {
  #baseUrl;
  #auth;
  #fetch;
  #timeoutMs;

  /**
   * @param {object} options
   * @param {function():{query?:object, headers?:object}} options.auth the caller's identity
   * @param {string} [options.baseUrl] the page's URL (the API is at `api/` beside it)
   * @param {function} [options.fetch] for tests
   */
  constructor({ auth, baseUrl = globalThis.location?.href, fetch = globalThis.fetch.bind(globalThis), timeoutMs = TIMEOUT_MS }) {
    this.#auth = auth;
    this.#baseUrl = baseUrl;
    this.#fetch = fetch;
    this.#timeoutMs = timeoutMs;
  }

  /** The conversations, the most recent first: `[{peerId, lastMessage, unread}]`. */
  async conversations() {
    const body = await this.#get('api/conversations', {});
    return (Array.isArray(body?.conversations) ? body.conversations : []).map((c) => ({
      peerId: c.peer_id,
      lastMessage: c.last_message ? messageOf(c.last_message) : null,
      unread: Number.isInteger(c.unread) ? c.unread : 0,
    }));
  }

  /**
   * One page of a conversation, newest first: `{messages, more}`. `before` is a message id: the
   * page then holds only older messages; `more` says whether there are older ones still.
   */
  async messages(peerId, { before = null, limit = 50 } = {}) {
    const params = { limit: String(limit) };
    if (before) {
      params.before = before;
    }
    const body = await this.#get(`api/conversations/${encodeURIComponent(peerId)}/messages`, params);
    return {
      messages: (Array.isArray(body?.messages) ? body.messages : []).map(messageOf),
      more: body?.more === true,
    };
  }

  async #get(path, params) {
    const { query = {}, headers = {} } = this.#auth() ?? {};
    const url = new URL(path, this.#baseUrl);
    for (const [name, value] of Object.entries({ ...query, ...params })) {
      if (value !== undefined && value !== null && value !== '') {
        url.searchParams.set(name, value);
      }
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.#timeoutMs);
    let response;
    try {
      response = await this.#fetch(url.href, {
        headers: { Accept: 'application/json', ...headers },
        signal: abort.signal,
        // the identity goes in the query or the Authorization header, never in a cookie
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (e) {
      throw abort.signal.aborted
        ? new ApiError(0, 'timeout', `no answer within ${this.#timeoutMs / 1000} s`)
        : new ApiError(0, 'network', e.message);
    } finally {
      clearTimeout(timer);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      if (response.ok) {
        throw new ApiError(response.status, 'bad_answer', `the server's answer is not JSON (${e.message})`);
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, body?.error ?? `http_${response.status}`, body?.message ?? response.statusText);
    }
    return body;
  }
}
