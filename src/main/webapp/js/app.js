import { EstateChatClient, newClientMsgId } from './estate-chat-client.js';
import { clearStoredChat, ConversationStore } from './conversation-store.js';
import { ChatView } from './chat-view.js';
import {
  expiryOf, forget, isValidUserId, readSignIn, remember, remembered, socketProtocolsFor, socketUrlFor, subjectOf,
} from './sign-in.js';

/** How long before a token's `exp` the page asks for a new one, while still connected. */
const RENEW_AHEAD_MS = 60_000;
/** The longest delay setTimeout keeps (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/**
 * Wires the page: sign-in starts a session, which joins the protocol client, the stored
 * conversations and the view. The session is the only place that knows all three. With an access
 * token it also keeps the token fresh: it asks the user for a new one before the old one expires
 * (and when the server says it expired or refused it) and renews it in place while connected.
 */
class ChatSession {
  activePeer = null;
  stopped = false;
  #renewTimer = null;
  /** A token sent in an `auth` frame; it becomes the session's once the server accepts it. */
  #offeredToken = null;

  constructor(signIn, view) {
    this.signIn = { ...signIn };
    this.view = view;
    this.identity = { userId: signIn.userId, role: signIn.role };
    this.store = new ConversationStore(signIn.userId);
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
    this.#scheduleRenewal();
    this.client.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.#renewTimer);
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
    this.store.markRead(peer);
    this.view.openConversation(peer);
    this.#renderConversations();
    this.#renderMessages();
  }

  send(text) {
    const clientMsgId = newClientMsgId();
    // recorded before sending, so that the first status event finds it
    this.store.addSent(this.activePeer, clientMsgId, text, this.identity.userId, this.identity.role);
    this.client.send(this.activePeer, text, clientMsgId);
    this.#renderConversations();
    this.#renderMessages();
  }

  #connected(identity) {
    // with a token the server, not the form, says who this is
    this.identity = { userId: identity.userId, role: identity.role };
    this.view.showIdentity(this.identity);
  }

  #received(message) {
    this.store.addReceived(message, message.senderId !== this.activePeer);
    if (this.activePeer === null) {
      this.open(message.senderId);
    } else {
      this.#renderConversations();
      if (message.senderId === this.activePeer) {
        this.#renderMessages();
      }
    }
    // shown and stored: only now may the server forget it
    this.client.ack(message.messageId);
  }

  #statusChanged(status) {
    const peer = this.store.updateStatus(status);
    if (peer !== null && peer === this.activePeer) {
      this.#renderMessages();
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

  #renderMessages() {
    this.view.renderMessages(this.store.messages(this.activePeer), (message) => this.#retry(message));
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
