/**
 * Estate Chat protocol v1 for browsers: one WebSocket, reconnected with exponential backoff and
 * jitter, messages deduplicated by message_id, sends tracked by client_msg_id from "typed" to
 * "read", read marks sent (and sent again while the server's store catches up), an access token
 * offered as a subprotocol and renewed in place. No DOM access here,
 * so another front end can reuse it as it is.
 * The API is documented in docs/protocol.md, section "Browser client".
 */

/** Receipt statuses in the order they can only go: a status never moves backwards. */
const STATUS_RANK = Object.freeze({ queued: 1, delivered: 2, read: 3 });

/** Error codes of the protocol in words a person can act on. */
const ERROR_WORDS = Object.freeze({
  bad_json: 'The server could not read what this page sent.',
  bad_frame: 'The server refused a malformed request from this page.',
  sender_mismatch: 'The message named another sender than you.',
  self_target: 'You cannot send a message to yourself.',
  forbidden: 'You are not allowed to do that.',
  too_large: 'The message is too long.',
  rate_limited: 'You are sending too fast. Wait a moment and send it again.',
  inbox_full: "The recipient's inbox is full. Try again later.",
  unavailable: 'The server could not store the message right now. It was not sent: send it again.',
  unknown_message: 'The server did not know a message this page confirmed.',
  unknown_user: 'Not sent: there is no such user.',
});

/**
 * Refusals of a `read` frame that go away by themselves: the store records a message a moment after
 * it is delivered (`unknown_message` until then), and `unavailable` passes with the store's outage.
 */
const READ_RETRYABLE = new Set(['unknown_message', 'unavailable']);

/** Refusals that may succeed if the same message is sent again later; the others never will. */
const RETRYABLE = new Set(['rate_limited', 'inbox_full', 'unavailable']);

export function isRetryable(code) {
  return RETRYABLE.has(code);
}

/** A plain-words description of a protocol error code. */
export function describeError(code, fallback) {
  // own properties only: a code such as "constructor" must not find Object.prototype's
  return (Object.hasOwn(ERROR_WORDS, code) ? ERROR_WORDS[code] : null) ?? fallback ?? `The server refused the request (${code}).`;
}

/** The subprotocol that names this protocol; a token goes beside it as `bearer.<token>`. */
export const SUBPROTOCOL = 'estate-chat.v1';

/**
 * The subprotocols to offer for an access token: the token travels in the handshake's
 * Sec-WebSocket-Protocol header instead of the URL, which proxies and access logs keep.
 * Without a token nothing is offered (a server that selects none would fail the handshake).
 */
export function tokenProtocols(token) {
  return token ? [SUBPROTOCOL, `bearer.${token}`] : [];
}

/**
 * Whether a close means the access token is no longer good: the server closes with 1008 and a
 * reason that names the token ("token expired", "token not valid", ...), or any 1008 while a
 * renewal is waiting for its answer. Reconnecting with the same token could only fail again.
 */
function isTokenClose(event, renewing) {
  return event.code === 1008 && (renewing || /\btoken\b/i.test(event.reason ?? ''));
}

/**
 * The chat socket's URL relative to a page URL, so the client works under any context root:
 * http://host/app/index.html gives ws://host/app/ws?... (https gives wss).
 */
export function chatSocketUrl(pageUrl, params = {}) {
  const url = new URL('ws', pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      url.searchParams.set(name, value);
    }
  }
  return url.href;
}

/**
 * Delays between reconnection attempts: doubling up to a ceiling, with "equal jitter" (half
 * fixed, half random) so that the clients that lost one server together do not all come back in
 * the same instant, while no client retries in a tight loop.
 */
export class Backoff {
  #attempt = 0;

  constructor({ initialMs = 500, maxMs = 30_000, factor = 2, random = Math.random } = {}) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.factor = factor;
    this.random = random;
  }

  get attempt() {
    return this.#attempt;
  }

  next() {
    const ceiling = Math.min(this.maxMs, this.initialMs * this.factor ** this.#attempt);
    this.#attempt += 1;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset() {
    this.#attempt = 0;
  }
}

/**
 * A new client_msg_id (1-64 printable ASCII). crypto.getRandomValues, because randomUUID exists
 * only in secure contexts and the chat may be served over plain http on a LAN.
 */
export function newClientMsgId() {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const random = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `c-${Date.now().toString(36)}-${random}`;
}

/**
 * A bounded set of message ids already handed to the page, oldest forgotten first: the protocol
 * is at least once, and a redelivery must be acked again but never shown twice.
 */
class SeenIds {
  #ids = new Set();

  constructor(limit, initial) {
    this.limit = limit;
    for (const id of initial) {
      this.add(id);
    }
  }

  has(id) {
    return this.#ids.has(id);
  }

  add(id) {
    this.#ids.add(id);
    if (this.#ids.size > this.limit) {
      this.#ids.delete(this.#ids.values().next().value);
    }
  }
}

/**
 * One user's connection to the chat server. Events (all CustomEvent, data in `detail`):
 * `statechange`, `connected`, `message`, `status`, `chaterror`, `renewed`, `tokenrequired`. See
 * docs/protocol.md for each.
 */
export class EstateChatClient extends EventTarget {
  #url;
  #protocols;
  #renewing = false;
  #WebSocket;
  #backoff;
  #seen;
  #socket = null;
  /** The server said `going_away` on this socket: nothing more is sent on it, it closes soon. */
  #goingAway = false;
  #state = 'idle';
  #stopped = true;
  #retryTimer = null;
  #identity = null;
  /** Own messages not yet confirmed as queued, by client_msg_id, in the order typed. */
  #outbox = new Map();
  /** Highest receipt rank seen per message_id, so that a late `queued` never undoes `delivered`. */
  #ranks = new Map();
  /** Read marks by message_id: `{attempt, timer}`; timer null while waiting for a connection. */
  #reads = new Map();
  #readRetry;
  #busyRetry;

  /**
   * @param {object} options
   * @param {string|function():string} options.url the socket URL, or a function called before
   *   each attempt (so that a fresh access token can go into each one)
   * @param {string[]|function():string[]} [options.protocols] subprotocols to offer, or a function
   *   called before each attempt (see {@link tokenProtocols}); none by default
   * @param {Iterable<string>} [options.knownMessageIds] ids the page already has (from storage)
   * @param {object} [options.backoff] initialMs, maxMs, factor for {@link Backoff}
   * @param {object} [options.readRetry] a refused read mark is sent again `attempts` times, first
   *   after `initialMs`, then doubling; quiet for `settledMs` after a send means it was recorded
   * @param {object} [options.busyRetry] a send refused with `retry_after_ms` goes again after the
   *   hint (at most `maxWaitMs`), `attempts` times, before it fails
   */
  constructor({
    url, protocols = [], knownMessageIds = [], backoff = {}, WebSocket: socketClass = globalThis.WebSocket, seenLimit = 10_000,
    readRetry = {}, busyRetry = {},
  }) {
    super();
    this.#readRetry = { initialMs: 250, attempts: 5, settledMs: 10_000, ...readRetry };
    this.#busyRetry = { attempts: 10, maxWaitMs: 30_000, ...busyRetry };
    this.#url = url;
    this.#protocols = protocols;
    this.#WebSocket = socketClass;
    this.#backoff = new Backoff(backoff);
    this.#seen = new SeenIds(seenLimit, knownMessageIds);
    this.onOnline = () => this.reconnectNow();
  }

  /**
   * `idle`, `connecting`, `open` (the server said `connected`), `waiting` (to retry), `closed`, or
   * `unauthorized` (the token was refused: no retry until {@link connect} is called with a new one).
   */
  get state() {
    return this.#state;
  }

  /** `{userId, role, heartbeatS}` from the last `connected` frame, or null. */
  get identity() {
    return this.#identity;
  }

  connect() {
    if (!this.#stopped) {
      return;
    }
    this.#stopped = false;
    globalThis.addEventListener?.('online', this.onOnline);
    this.#open();
  }

  /** Closes for good: no reconnection until {@link connect} is called again. */
  close() {
    this.#stopped = true;
    globalThis.removeEventListener?.('online', this.onOnline);
    clearTimeout(this.#retryTimer);
    this.#reads.forEach((entry) => clearTimeout(entry.timer));
    this.#reads.clear();
    if (this.#socket) {
      this.#socket.close(1000, 'signed out');
    } else {
      this.#setState('closed');
    }
  }

  /** Skips the backoff wait, for example when the network comes back. */
  reconnectNow() {
    if (this.#state === 'waiting') {
      clearTimeout(this.#retryTimer);
      this.#open();
    }
  }

  /**
   * Sends a message, or keeps it until the connection is open. Returns its client_msg_id, which
   * every later `status` event for it carries; pass one (from {@link newClientMsgId}) to record
   * the message before the first event fires, or to send again one that a reload left unconfirmed.
   */
  send(targetId, text, clientMsgId = newClientMsgId()) {
    const entry = { clientMsgId, targetId, text, status: 'waiting' };
    this.#outbox.set(entry.clientMsgId, entry);
    this.#transmit(entry);
    return entry.clientMsgId;
  }

  /**
   * Sends again a message that `failed` or is `unconfirmed`. Only the user decides this for an
   * unconfirmed one: the server may have stored it before the connection dropped.
   */
  retry(clientMsgId) {
    const entry = this.#outbox.get(clientMsgId);
    if (entry && (entry.status === 'failed' || entry.status === 'unconfirmed')) {
      this.#transmit(entry);
    }
    return Boolean(entry);
  }

  /**
   * Tells the server this page has the message; call it once the message is shown (and stored).
   * An ack that cannot be written is harmless: the message comes again and is acked as a duplicate.
   */
  ack(messageId) {
    this.#write({ type: 'ack', message_id: messageId });
  }

  /**
   * Tells the server the user has read this message and every earlier one from its sender (the
   * `read` frame); the sender gets a `read` receipt. Sent now, or when connected. A message just
   * received may not be in the server's store yet: a refusal with `unknown_message` or
   * `unavailable` is sent again a few times, quietly; only the last one comes as a `chaterror`.
   */
  read(messageId) {
    clearTimeout(this.#reads.get(messageId)?.timer);
    const entry = { attempt: 0, timer: null };
    this.#reads.set(messageId, entry);
    this.#sendRead(messageId, entry);
  }

  #sendRead(messageId, entry) {
    if (!this.#maySend() || !this.#write({ type: 'read', message_id: messageId })) {
      entry.timer = null; // sent once connected
      return;
    }
    // no answer is the answer: a read mark the server recorded is not confirmed to its reader
    entry.timer = setTimeout(() => this.#reads.delete(messageId), this.#readRetry.settledMs);
  }

  /** Whether a refusal was about a read mark still worth sending again (it is then sent again). */
  #readRefused(frame) {
    const entry = frame.message_id ? this.#reads.get(frame.message_id) : undefined;
    if (!entry || entry.timer === null) {
      return false;
    }
    clearTimeout(entry.timer);
    if (!READ_RETRYABLE.has(frame.code) || entry.attempt >= this.#readRetry.attempts) {
      this.#reads.delete(frame.message_id);
      return false;
    }
    const delay = this.#readRetry.initialMs * 2 ** entry.attempt;
    entry.attempt += 1;
    entry.timer = setTimeout(() => this.#sendRead(frame.message_id, entry), delay);
    return true;
  }

  /**
   * Renews the access token on the open connection (the `auth` frame): `renewed` follows when the
   * server accepts it, `tokenrequired` when it refuses it (it then closes the connection). Returns
   * false when not connected: then connect again with the new token instead.
   */
  renew(token) {
    if (!this.#maySend() || !this.#write({ type: 'auth', access_token: token })) {
      return false;
    }
    this.#renewing = true;
    return true;
  }

  /** Connected, and the server has not said it is going away. */
  #maySend() {
    return this.#state === 'open' && !this.#goingAway;
  }

  #transmit(entry) {
    if (this.#maySend() && this.#write({ type: 'message', target_id: entry.targetId, message: entry.text, client_msg_id: entry.clientMsgId })) {
      this.#setStatus(entry, 'sending');
    } else {
      this.#setStatus(entry, 'waiting');
    }
  }

  #write(frame) {
    if (this.#socket?.readyState !== this.#WebSocket.OPEN) {
      return false;
    }
    this.#socket.send(JSON.stringify(frame));
    return true;
  }

  #open() {
    this.#setState('connecting');
    const url = typeof this.#url === 'function' ? this.#url() : this.#url;
    const protocols = typeof this.#protocols === 'function' ? this.#protocols() : this.#protocols;
    this.#renewing = false;
    this.#goingAway = false;
    const socket = protocols?.length ? new this.#WebSocket(url, protocols) : new this.#WebSocket(url);
    this.#socket = socket;
    socket.addEventListener('message', (event) => this.#receive(event.data));
    // 'error' is always followed by 'close', which carries the code: handled there only
    socket.addEventListener('close', (event) => this.#dropped(socket, event));
  }

  #dropped(socket, event) {
    if (socket !== this.#socket) {
      return;
    }
    this.#socket = null;
    // written but not confirmed: it may be stored, so it is never sent again behind the user's back
    for (const entry of this.#outbox.values()) {
      if (entry.status === 'sending') {
        this.#setStatus(entry, 'unconfirmed');
      }
    }
    // a read mark is harmless twice: the ones in flight go again on the next connection
    for (const entry of this.#reads.values()) {
      clearTimeout(entry.timer);
      entry.timer = null;
    }
    if (this.#stopped) {
      this.#setState('closed', { closeCode: event.code, closeReason: event.reason });
      return;
    }
    if (isTokenClose(event, this.#renewing)) {
      // the same token would only be refused again, for ever: wait for a new one (connect())
      this.#renewing = false;
      this.#stopped = true;
      globalThis.removeEventListener?.('online', this.onOnline);
      this.#setState('unauthorized', { closeCode: event.code, closeReason: event.reason });
      this.#emit('tokenrequired', { closeCode: event.code, closeReason: event.reason });
      return;
    }
    const retryInMs = this.#backoff.next();
    this.#retryTimer = setTimeout(() => this.#open(), retryInMs);
    this.#setState('waiting', { closeCode: event.code, closeReason: event.reason, retryInMs, attempt: this.#backoff.attempt });
  }

  #receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      this.#emit('chaterror', { code: 'bad_server_frame', message: `The server sent something unreadable (${e.message}).` });
      return;
    }
    switch (frame.type) {
      case 'connected':
        return this.#connected(frame);
      case 'message':
        return this.#message(frame);
      case 'receipt':
        return this.#receipt(frame);
      case 'error':
        return this.#error(frame);
      case 'auth_ok':
        this.#renewing = false;
        return this.#emit('renewed', { expiresAt: frame.expires_at ?? null });
      case 'going_away':
        // the server closes soon: what is typed now waits for the next connection; what was sent
        // before is still answered (a refusal with retry_after_ms is sent again after it)
        this.#goingAway = true;
        return undefined;
      default:
        // a newer server may add frame types; an old page ignores them rather than failing
        return undefined;
    }
  }

  #connected(frame) {
    this.#backoff.reset();
    this.#identity = { userId: frame.user_id, role: frame.role, heartbeatS: frame.heartbeat_s };
    this.#setState('open');
    this.#emit('connected', this.#identity);
    for (const entry of this.#outbox.values()) {
      if (entry.status === 'waiting') {
        this.#transmit(entry);
      }
    }
    for (const [messageId, entry] of this.#reads) {
      if (entry.timer === null) {
        this.#sendRead(messageId, entry);
      }
    }
  }

  #message(frame) {
    if (this.#seen.has(frame.message_id)) {
      this.ack(frame.message_id);
      return;
    }
    this.#seen.add(frame.message_id);
    this.#emit('message', {
      messageId: frame.message_id,
      senderId: frame.sender_id,
      senderRole: frame.sender_role,
      targetId: frame.target_id,
      text: frame.message,
      sentAt: frame.sent_at,
      redelivered: frame.redelivered === true,
    });
  }

  #receipt(frame) {
    const rank = Object.hasOwn(STATUS_RANK, frame.status) ? STATUS_RANK[frame.status] : 0;
    if (rank <= (this.#ranks.get(frame.message_id) ?? 0)) {
      return;
    }
    this.#ranks.set(frame.message_id, rank);
    this.#outbox.delete(frame.client_msg_id);
    this.#emit('status', {
      clientMsgId: frame.client_msg_id ?? null,
      messageId: frame.message_id,
      targetId: frame.target_id,
      status: frame.status,
      at: frame.at,
    });
  }

  #error(frame) {
    if (this.#readRefused(frame)) {
      return;
    }
    const detail = {
      code: frame.code,
      message: describeError(frame.code, frame.message),
      serverMessage: frame.message,
      clientMsgId: frame.client_msg_id ?? null,
      messageId: frame.message_id ?? null,
    };
    const entry = this.#outbox.get(detail.clientMsgId);
    if (entry && this.#retryWhenBusy(entry, frame)) {
      return;
    }
    if (entry) {
      this.#setStatus(entry, 'failed', detail);
    }
    this.#emit('chaterror', detail);
  }

  /**
   * A send the server refused with `retry_after_ms` (the broker blocks publishing for now, or too
   * much waits for it) was not stored: it is `busy` and goes again after the hint, a few times,
   * before it counts as failed.
   */
  #retryWhenBusy(entry, frame) {
    const after = frame.retry_after_ms;
    if (!Number.isFinite(after) || after <= 0 || (entry.busyAttempts ?? 0) >= this.#busyRetry.attempts) {
      entry.busyAttempts = 0;
      return false;
    }
    entry.busyAttempts = (entry.busyAttempts ?? 0) + 1;
    this.#setStatus(entry, 'busy');
    setTimeout(() => {
      if (this.#outbox.get(entry.clientMsgId) === entry && entry.status === 'busy') {
        this.#transmit(entry);
      }
    }, Math.min(after, this.#busyRetry.maxWaitMs));
    return true;
  }

  #setStatus(entry, status, error = null) {
    entry.status = status;
    this.#emit('status', { clientMsgId: entry.clientMsgId, messageId: null, targetId: entry.targetId, status, error });
  }

  #setState(state, details = {}) {
    this.#state = state;
    this.#emit('statechange', { state, ...details });
  }

  #emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
