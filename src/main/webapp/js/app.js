import { EstateChatClient, newClientMsgId } from './estate-chat-client.js';
import { clearStoredChat, ConversationStore } from './conversation-store.js';
import { ConversationsApi, describeApiError } from './conversations-api.js';
import { ChatView } from './chat-view.js';
import {
  apiAuthFor, expiryOf, forget, isValidUserId, readSignIn, remember, remembered, socketProtocolsFor, socketUrlFor,
  subjectOf,
} from './sign-in.js';

/** How long before a token's `exp` the page asks for a new one, while still connected. */
const RENEW_AHEAD_MS = 60_000;
/** The longest delay setTimeout keeps (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
/** Messages that arrive together are read together: one `read` frame for the newest of them. */
const READ_AFTER_MS = 250;
/** The server's store records a message a moment after its receipt: ask for it a little later. */
const STORE_LAG_MS = 1_000;
/** One page of history. */
const PAGE_SIZE = 50;

/**
 * Wires the page: sign-in starts a session, which joins the protocol client, the conversations
 * (this browser's copy, shown at once, then the server's through the REST API) and the view. The
 * session is the only place that knows them all. It marks a conversation read when it is on
 * screen and the page is visible, and loads older messages when asked. With an access
 * token it also keeps the token fresh: it asks the user for a new one before the old one expires
 * (and when the server says it expired or refused it) and renews it in place while connected.
 */
class ChatSession {
  activePeer = null;
  stopped = false;
  #renewTimer = null;
  /** A token sent in an `auth` frame; it becomes the session's once the server accepts it. */
  #offeredToken = null;
  /** Conversations whose newest page this session has from the server. */
  #loaded = new Set();
  /** Requests for a conversation's newest page under way, by peer: never two at once. */
  #loadingNewest = new Map();
  #refreshing = false;
  #refreshAgain = false;
  #loadingOlder = false;
  /** The newest message read per peer, for the `read` frame about to go. */
  #readsDue = new Map();
  #readTimer = null;
  #reloadTimer = null;
  #connectedBefore = false;
  #visibility = () => this.#markReadIfSeen();

  constructor(signIn, view) {
    this.signIn = { ...signIn };
    this.view = view;
    this.identity = { userId: signIn.userId, role: signIn.role };
    this.store = new ConversationStore(signIn.userId);
    this.api = new ConversationsApi({ auth: () => apiAuthFor(this.signIn) });
    // functions, called before each attempt: a renewed token goes into the next connection
    this.client = new EstateChatClient({
      url: () => socketUrlFor(this.signIn),
      protocols: () => socketProtocolsFor(this.signIn),
      knownMessageIds: this.store.receivedIds(),
    });
    this.#on('statechange', (detail) => this.#stateChanged(detail));
    this.#on('renewed', () => this.#renewed());
    this.#on('tokenrequired', (detail) => {
      this.#offeredToken = null;
      view.askForToken(detail.closeReason === 'token expired' ? 'Your access token has expired. Paste a new one to reconnect.'
        : 'The server refused the access token. Paste a new one to reconnect.');
    });
    this.#on('connected', (detail) => this.#connected(detail));
    this.#on('message', (detail) => this.#received(detail));
    this.#on('status', (detail) => this.#statusChanged(detail));
    this.#on('chaterror', (detail) => view.showNotice(detail.message));
  }

  /**
   * Events that a signed-out session's socket still delivers while it closes must not paint over
   * the next session; a message dropped here is not acked, so the server keeps it.
   */
  #on(type, handler) {
    this.client.addEventListener(type, (event) => this.stopped || handler(event.detail));
  }

  start() {
    this.view.showChat(this.identity);
    this.#renderConversations();
    const [latest] = this.store.peers();
    if (latest) {
      this.open(latest);
    }
    document.addEventListener('visibilitychange', this.#visibility);
    this.#scheduleRenewal();
    this.client.connect();
    this.refresh();
  }

  stop() {
    this.stopped = true;
    document.removeEventListener('visibilitychange', this.#visibility);
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#readTimer);
    clearTimeout(this.#reloadTimer);
    this.client.close();
    this.view.hideTokenPrompt();
    this.view.showConnection({ state: 'closed' });
  }

  /**
   * A new token from the user: renewed in place on an open connection (the `auth` frame), else
   * used by the next connection. Returns why it cannot be used, in words, or null.
   */
  useToken(token) {
    if (subjectOf(token) !== this.identity.userId) {
      return 'This token is for another user. Sign out to change users.';
    }
    const expiry = expiryOf(token);
    if (expiry !== null && expiry.getTime() <= Date.now()) {
      return 'This token has already expired.';
    }
    if (this.client.renew(token)) {
      this.#offeredToken = token;
      return null;
    }
    this.signIn.token = token;
    this.#scheduleRenewal();
    this.view.hideTokenPrompt();
    this.client.connect();
    return null;
  }

  #stateChanged(detail) {
    this.view.showConnection(detail);
    // a refused handshake shows only as a drop; with an expired token every retry would be refused
    if (detail.state === 'waiting' && this.#tokenExpired()) {
      this.client.close();
      this.view.showConnection({ state: 'unauthorized' });
      this.view.askForToken('Your access token has expired. Paste a new one to reconnect.');
    }
  }

  #renewed() {
    if (this.#offeredToken !== null) {
      this.signIn.token = this.#offeredToken;
      this.#offeredToken = null;
    }
    this.#scheduleRenewal();
    this.view.hideTokenPrompt();
    this.view.showNotice('Access token renewed.');
  }

  #tokenExpired() {
    const expiry = this.signIn.token ? expiryOf(this.signIn.token) : null;
    return expiry !== null && expiry.getTime() <= Date.now();
  }

  /** Asks for a new token a minute before the current one expires, so the connection never drops. */
  #scheduleRenewal() {
    clearTimeout(this.#renewTimer);
    const expiry = this.signIn.token ? expiryOf(this.signIn.token) : null;
    if (expiry === null) {
      return;
    }
    const wait = expiry.getTime() - RENEW_AHEAD_MS - Date.now();
    this.#renewTimer = setTimeout(() => {
      if (wait > MAX_TIMER_MS) {
        this.#scheduleRenewal();
      } else if (!this.stopped) {
        this.view.askForToken(`Your access token expires at ${CLOCK.format(expiry)}. Paste a new one to stay connected.`);
      }
    }, Math.min(MAX_TIMER_MS, Math.max(0, wait)));
  }

  open(peer) {
    this.activePeer = peer;
    this.store.ensure(peer);
    this.view.openConversation(peer);
    this.#markReadIfSeen();
    this.#renderConversations();
    this.#renderMessages({ scroll: 'end' });
    if (!this.#loaded.has(peer)) {
      this.#loadNewest(peer).catch((e) => this.#historyFailed(e));
    }
  }

  /**
   * Asks the server for the conversations and the open one's newest messages, and merges them
   * with what the page shows. At sign-in and after each reconnection (what happened meanwhile,
   * perhaps in another browser). A failure leaves the page as it was, with a notice.
   */
  async refresh() {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return;
    }
    this.#refreshing = true;
    try {
      do {
        this.#refreshAgain = false;
        await this.#refreshOnce();
      } while (this.#refreshAgain && !this.stopped);
    } finally {
      this.#refreshing = false;
    }
  }

  async #refreshOnce() {
    try {
      const conversations = await this.api.conversations();
      if (this.stopped) {
        return;
      }
      this.store.applyConversations(conversations);
      this.#loaded.clear();
      if (this.activePeer === null && conversations.length > 0) {
        this.open(this.store.peers()[0]); // loads its messages
      } else if (this.activePeer !== null) {
        this.#markReadIfSeen();
        this.#renderConversations();
        await this.#loadNewest(this.activePeer);
      } else {
        this.#renderConversations();
      }
    } catch (e) {
      this.#historyFailed(e);
    }
  }

  /** Loads older messages of the open conversation (the button, or scrolling to the top). */
  async loadOlder() {
    const peer = this.activePeer;
    const before = peer === null ? null : this.store.oldestId(peer);
    if (this.#loadingOlder || before === null || this.store.hasOlder(peer) === false) {
      return;
    }
    this.#loadingOlder = true;
    this.#showOlder();
    try {
      const page = await this.api.messages(peer, { before, limit: PAGE_SIZE });
      if (!this.stopped) {
        this.store.applyHistory(peer, page, { newest: false });
        if (peer === this.activePeer) {
          this.#renderMessages({ scroll: 'keep' });
        }
      }
    } catch (e) {
      this.#historyFailed(e);
    } finally {
      this.#loadingOlder = false;
      this.#showOlder();
    }
  }

  #loadNewest(peer) {
    if (!this.#loadingNewest.has(peer)) {
      this.#loadingNewest.set(peer, this.#fetchNewest(peer).finally(() => this.#loadingNewest.delete(peer)));
    }
    return this.#loadingNewest.get(peer);
  }

  async #fetchNewest(peer) {
    const page = await this.api.messages(peer, { limit: PAGE_SIZE });
    if (this.stopped) {
      return;
    }
    this.store.applyHistory(peer, page, { newest: true });
    this.#loaded.add(peer);
    if (peer === this.activePeer) {
      this.#markReadIfSeen();
      this.#renderMessages();
    }
    this.#renderConversations();
  }

  #historyFailed(error) {
    if (this.stopped) {
      return;
    }
    console.warn(`Estate Chat: the conversation history request failed (${error.status ?? ''} ${error.message})`);
    // the live chat goes on; what the page shows stays (a 503 is the store's outage, not the chat's)
    this.view.showNotice(describeApiError(error));
  }

  /**
   * The open conversation counts as read when the page is visible: its badge goes at once, and
   * one `read` frame, for the newest message from the peer, follows (messages arriving together
   * wait for each other a moment).
   */
  #markReadIfSeen() {
    const peer = this.activePeer;
    if (peer === null || this.stopped || document.visibilityState !== 'visible') {
      return;
    }
    const hadBadge = this.store.unread(peer) > 0;
    const messageId = this.store.markRead(peer);
    if (messageId !== null) {
      this.#readsDue.set(peer, messageId);
      this.#readTimer ??= setTimeout(() => this.#sendReads(), READ_AFTER_MS);
    }
    if (hadBadge) {
      this.#renderConversations();
    }
  }

  #sendReads() {
    this.#readTimer = null;
    if (!this.stopped) {
      // sent now, or once connected; the client sends it again while the server's store catches up
      this.#readsDue.forEach((messageId) => this.client.read(messageId));
    }
    this.#readsDue.clear();
  }

  send(text) {
    const clientMsgId = newClientMsgId();
    // recorded before sending, so that the first status event finds it
    this.store.addSent(this.activePeer, clientMsgId, text, this.identity.userId, this.identity.role);
    this.client.send(this.activePeer, text, clientMsgId);
    this.#renderConversations();
    this.#renderMessages({ scroll: 'end' });
  }

  #connected(identity) {
    // with a token the server, not the form, says who this is
    this.identity = { userId: identity.userId, role: identity.role };
    this.view.showIdentity(this.identity);
    // back after a drop: what came and went meanwhile is in the server's store
    if (this.#connectedBefore) {
      this.refresh();
    }
    this.#connectedBefore = true;
  }

  #received(message) {
    const onScreen = message.senderId === this.activePeer && document.visibilityState === 'visible';
    this.store.addReceived(message, !onScreen);
    if (this.activePeer === null) {
      this.open(message.senderId);
    } else {
      this.#renderConversations();
      if (message.senderId === this.activePeer) {
        this.#renderMessages();
        this.#markReadIfSeen();
      }
    }
    // shown and kept: only now may the server forget it
    this.client.ack(message.messageId);
  }

  #statusChanged(status) {
    const peer = this.store.updateStatus(status);
    if (peer !== null && peer === this.activePeer) {
      this.#renderMessages();
    } else if (peer === null && status.messageId && status.targetId === this.activePeer) {
      // a receipt for a message this page never saw: sent from another browser of this user
      clearTimeout(this.#reloadTimer);
      this.#reloadTimer = setTimeout(() => {
        this.#loadNewest(status.targetId).catch((e) => console.warn(`Estate Chat: ${e.message}`));
      }, STORE_LAG_MS);
    }
  }

  #retry(message) {
    // after a reload the client no longer tracks it: sending with the same id matches the receipts
    if (!this.client.retry(message.clientMsgId)) {
      this.client.send(this.activePeer, message.text, message.clientMsgId);
    }
  }

  #renderConversations() {
    this.view.renderConversations(this.store, this.activePeer, (peer) => this.open(peer));
  }

  #renderMessages({ scroll = 'auto' } = {}) {
    this.view.renderMessages(this.store.messages(this.activePeer), (message) => this.#retry(message), { scroll });
    this.#showOlder();
  }

  #showOlder() {
    this.view.showOlder({ older: this.activePeer === null ? false : this.store.hasOlder(this.activePeer), loading: this.#loadingOlder });
  }
}

/** Binds the forms and keys to the current session. */
function main() {
  const view = new ChatView(document);
  let session = null;

  const begin = (signIn) => {
    session = new ChatSession(signIn, view);
    session.start();
  };

  view.signInForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const signIn = readSignIn(view.signInForm);
    if (signIn.error) {
      view.signInError.textContent = signIn.error;
      return;
    }
    remember(signIn);
    begin(signIn);
  });

  view.signOutButton.addEventListener('click', () => {
    session?.stop();
    session = null;
    // a shared computer keeps nothing of the user: history, remembered sign-in, the typed token
    forget();
    clearStoredChat();
    view.signInForm.reset();
    view.showSignIn();
  });

  view.tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = view.tokenForm.elements.access_token.value.trim();
    if (token === '' || session === null) {
      return;
    }
    const refusal = session.useToken(token);
    view.tokenError.textContent = refusal ?? '';
    if (refusal === null) {
      view.tokenForm.reset();
    }
  });

  view.newConversationForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const peer = view.newConversationForm.elements.peer.value.trim();
    if (!isValidUserId(peer)) {
      view.newPeerError.textContent = 'A user id is 1 to 64 letters, digits, "_", "." or "-".';
      return;
    }
    if (peer === session.identity.userId) {
      view.newPeerError.textContent = 'That is you: choose someone else.';
      return;
    }
    view.newPeerError.textContent = '';
    view.newConversationForm.reset();
    session.open(peer);
  });

  view.broadcastForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const { role, text } = view.broadcastForm.elements;
    const announcement = text.value.trim();
    if (announcement === '' || session == null) {
      return;
    }
    // a broadcast is a conversation with the role: its ticks and errors show there
    session.open(`role:${role.value}`);
    session.send(announcement);
    text.value = '';
  });

  view.loadOlderButton.addEventListener('click', () => session?.loadOlder());
  view.onScrolledToTop(() => session?.loadOlder());

  view.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = view.messageText.value.trim();
    if (text === '' || session?.activePeer == null) {
      return;
    }
    session.send(text);
    view.messageText.value = '';
  });

  view.messageText.addEventListener('keydown', (event) => {
    // Enter sends; Shift+Enter is a new line; an IME composition's Enter belongs to the IME
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      view.composer.requestSubmit();
    }
  });

  const resumed = remembered();
  if (resumed) {
    begin(resumed);
  } else {
    view.showSignIn();
  }
}

main();
