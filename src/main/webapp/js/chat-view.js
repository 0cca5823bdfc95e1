import { isRetryable } from './estate-chat-client.js';

/**
 * The page's DOM: it renders state it is given and reports what the user does. Every piece of
 * text from a user or the server goes in through textContent, never as markup.
 */

const DELIVERY = Object.freeze({
  waiting: { mark: '…', words: 'Waiting for the connection' },
  sending: { mark: '…', words: 'Sending' },
  busy: { mark: '…', words: 'Server busy, retrying' },
  queued: { mark: '✓', words: 'Stored on the server' },
  delivered: { mark: '✓✓', words: 'Delivered' },
  read: { mark: '✓✓', words: 'Read' },
  unconfirmed: { mark: '?', words: 'Not confirmed: the connection dropped before the server answered' },
  failed: { mark: '!', words: 'Not sent' },
});

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A new element with its text set as text. */
function element(tag, { className, text, attributes = {} } = {}) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  return node;
}

export class ChatView {
  #noticeTimer = null;

  constructor(root = document) {
    const byId = (id) => root.getElementById(id);
    this.signInView = byId('sign-in-view');
    this.signInForm = byId('sign-in-form');
    this.signInError = byId('sign-in-error');
    this.chatView = byId('chat-view');
    this.connectionState = byId('connection-state');
    this.signedInAs = byId('signed-in-as');
    this.signOutButton = byId('sign-out');
    this.newConversationForm = byId('new-conversation-form');
    this.newPeerError = byId('new-peer-error');
    this.conversationList = byId('conversation-list');
    this.broadcast = byId('broadcast');
    this.broadcastForm = byId('broadcast-form');
    this.conversationTitle = byId('conversation-title');
    this.messageList = byId('message-list');
    this.loadOlderButton = byId('load-older');
    this.composer = byId('composer');
    this.messageLabel = byId('message-label');
    this.messageText = byId('message-text');
    this.sendButton = byId('send');
    this.notice = byId('notice');
    this.tokenRenewal = byId('token-renewal');
    this.tokenReason = byId('token-renewal-reason');
    this.tokenForm = byId('token-renewal-form');
    this.tokenError = byId('token-renewal-error');
  }

  /** Asks for a new access token, saying why in words. */
  askForToken(reason) {
    this.tokenReason.textContent = reason;
    this.tokenError.textContent = '';
    this.tokenRenewal.hidden = false;
    this.tokenForm.elements.access_token.focus();
  }

  hideTokenPrompt() {
    this.tokenRenewal.hidden = true;
    this.tokenForm.reset();
    this.tokenError.textContent = '';
  }

  showSignIn(error = '') {
    this.signInView.hidden = false;
    this.chatView.hidden = true;
    this.signedInAs.hidden = true;
    this.signOutButton.hidden = true;
    this.signInError.textContent = error;
    this.signInForm.elements.id.focus();
  }

  showChat({ userId, role }) {
    this.signInView.hidden = true;
    this.chatView.hidden = false;
    this.signOutButton.hidden = false;
    this.showIdentity({ userId, role });
    this.newConversationForm.elements.peer.focus();
  }

  showIdentity({ userId, role }) {
    this.signedInAs.hidden = false;
    this.signedInAs.textContent = `${userId} (${role})`;
    // the server refuses broadcasts from other roles (chat.broadcast-roles); don't offer them
    this.broadcast.hidden = role !== 'admin';
  }

  showConnection({ state, retryInMs }) {
    const words = {
      idle: 'Not signed in',
      connecting: 'Connecting…',
      open: 'Connected',
      waiting: `Offline. Reconnecting in ${Math.max(1, Math.round((retryInMs ?? 0) / 1000))} s…`,
      closed: 'Signed out',
      unauthorized: 'Disconnected: a new access token is needed',
    };
    this.connectionState.dataset.state = state;
    this.connectionState.textContent = words[state] ?? state;
  }

  showNotice(text) {
    this.notice.textContent = text;
    this.notice.hidden = false;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => {
      this.notice.hidden = true;
    }, 10_000);
  }

  renderConversations(store, activePeer, onOpen) {
    const items = store.peers().map((peer) => {
      const unread = store.unread(peer);
      const button = element('button', { className: 'conversation-button', attributes: { type: 'button', 'data-peer': peer } });
      button.append(element('span', { className: 'peer', text: peer }));
      if (unread > 0) {
        button.append(element('span', { className: 'unread', text: String(unread), attributes: { 'aria-label': `${unread} unread` } }));
      }
      if (peer === activePeer) {
        button.setAttribute('aria-current', 'true');
      }
      button.addEventListener('click', () => onOpen(peer));
      const item = element('li');
      item.append(button);
      return item;
    });
    this.conversationList.replaceChildren(...items);
  }

  openConversation(peer) {
    this.conversationTitle.textContent = `Conversation with ${peer}`;
    this.messageLabel.textContent = `Message to ${peer}`;
    this.messageText.disabled = false;
    this.sendButton.disabled = false;
    this.messageText.focus();
  }

  /**
   * Shows a conversation's messages. `scroll`: `end` shows the newest (a conversation opened, a
   * message sent); `keep` keeps what the user looks at where it is (older messages came in above
   * it); `auto` follows the newest only when the user was looking at them, and does not pull
   * someone reading older messages away from them.
   */
  renderMessages(messages, onRetry, { scroll = 'auto' } = {}) {
    const list = this.messageList;
    const fromBottom = list.scrollHeight - list.scrollTop;
    const atEnd = fromBottom - list.clientHeight < 80;
    list.replaceChildren(...messages.map((m) => this.#messageItem(m, onRetry)));
    if (scroll === 'keep' || (scroll === 'auto' && !atEnd)) {
      list.scrollTop = list.scrollHeight - fromBottom;
    } else {
      list.lastElementChild?.scrollIntoView({ block: 'end' });
    }
  }

  /**
   * The "Load older messages" button above the list: shown while the server may hold older
   * messages (`older` true, or null when it has not said yet), disabled while a page loads.
   */
  showOlder({ older, loading }) {
    this.loadOlderButton.hidden = older === false;
    this.loadOlderButton.disabled = loading;
    this.loadOlderButton.textContent = loading ? 'Loading older messages…' : 'Load older messages';
  }

  /** Calls `onTop` when the user scrolls the messages to their top (as when asking for older ones). */
  onScrolledToTop(onTop) {
    this.messageList.addEventListener('scroll', () => {
      if (this.messageList.scrollTop < 40 && this.messageList.scrollHeight > this.messageList.clientHeight) {
        onTop();
      }
    }, { passive: true });
  }

  #messageItem(message, onRetry) {
    const item = element('li', { className: message.mine ? 'message mine' : 'message theirs' });
    if (message.messageId) {
      item.dataset.messageId = message.messageId;
    }
    const meta = element('p', { className: 'meta' });
    const at = new Date(message.at);
    meta.append(
      element('span', { className: 'sender', text: message.mine ? 'You' : message.senderId }),
      element('span', { className: 'role', text: message.senderRole ?? '' }),
      element('time', { text: TIME.format(at), attributes: { datetime: message.at, title: DATE_TIME.format(at) } }),
    );
    item.append(meta, element('p', { className: 'text', text: message.text }));
    if (message.mine) {
      item.dataset.clientMsgId = message.clientMsgId;
      item.dataset.status = message.status;
      item.append(this.#delivery(message, onRetry));
    }
    return item;
  }

  #delivery(message, onRetry) {
    const { mark, words } = (Object.hasOwn(DELIVERY, message.status) ? DELIVERY[message.status] : null)
        ?? { mark: '', words: message.status };
    const delivery = element('p', { className: 'delivery' });
    delivery.append(element('span', { className: `ticks ${message.status}`, text: mark, attributes: { role: 'img', 'aria-label': words, title: words } }));
    if (message.status === 'read') {
      // the ticks of delivered and read look alike: the word says it
      delivery.append(element('span', { className: 'read-mark', text: 'Read', attributes: { 'aria-hidden': 'true' } }));
    }
    if (message.error) {
      delivery.append(element('span', { className: 'delivery-error', text: message.error }));
    }
    if (message.status === 'unconfirmed' || (message.status === 'failed' && isRetryable(message.errorCode))) {
      const retry = element('button', { className: 'retry secondary', text: 'Send again', attributes: { type: 'button' } });
      retry.addEventListener('click', () => onRetry(message));
      delivery.append(retry);
    }
    return delivery;
  }
}
