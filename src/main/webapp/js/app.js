import { EstateChatClient, newClientMsgId } from './estate-chat-client.js';
import { ConversationStore } from './conversation-store.js';
import { ChatView } from './chat-view.js';
import { forget, isValidUserId, readSignIn, remember, remembered, socketUrlFor } from './sign-in.js';

/**
 * Wires the page: sign-in starts a session, which joins the protocol client, the stored
 * conversations and the view. The session is the only place that knows all three.
 */
class ChatSession {
  activePeer = null;
  stopped = false;

  constructor(signIn, view) {
    this.signIn = signIn;
    this.view = view;
    this.identity = { userId: signIn.userId, role: signIn.role };
    this.store = new ConversationStore(signIn.userId);
    this.client = new EstateChatClient({
      url: () => socketUrlFor(signIn),
      knownMessageIds: this.store.receivedIds(),
    });
    this.#on('statechange', (detail) => view.showConnection(detail));
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
    this.client.connect();
  }

  stop() {
    this.stopped = true;
    this.client.close();
    this.view.showConnection({ state: 'closed' });
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
    forget();
    view.showSignIn();
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
