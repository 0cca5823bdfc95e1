/**
 * The signed-in user's conversations, kept in localStorage: the server forgets a message once this
 * page acks it, so the page is where the history lives. One entry per message, mine or theirs.
 */

const MESSAGES_PER_CONVERSATION = 200;
const RANK = Object.freeze({ waiting: 0, sending: 0, unconfirmed: 0, failed: 0, queued: 1, delivered: 2, read: 3 });

export class ConversationStore {
  #key;
  #conversations;

  constructor(userId, storage = globalThis.localStorage) {
    this.#key = `estate-chat:v1:${userId}`;
    this.storage = storage;
    this.#conversations = this.#load();
    this.#settleStale();
  }

  /** Peer ids, the most recently active first. */
  peers() {
    return Object.keys(this.#conversations).sort((a, b) => this.#lastAt(b).localeCompare(this.#lastAt(a)));
  }

  messages(peerId) {
    return this.#conversations[peerId]?.messages ?? [];
  }

  unread(peerId) {
    return this.#conversations[peerId]?.unread ?? 0;
  }

  ensure(peerId) {
    this.#conversations[peerId] ??= { messages: [], unread: 0 };
    return this.#conversations[peerId];
  }

  markRead(peerId) {
    if (this.#conversations[peerId]) {
      this.#conversations[peerId].unread = 0;
      this.#save();
    }
  }

  /** Ids of every received message, for the client's duplicate check after a reload. */
  receivedIds() {
    return Object.values(this.#conversations).flatMap((c) => c.messages.filter((m) => !m.mine).map((m) => m.messageId));
  }

  addReceived(message, unread) {
    const conversation = this.ensure(message.senderId);
    conversation.messages.push({
      mine: false,
      messageId: message.messageId,
      senderId: message.senderId,
      senderRole: message.senderRole,
      text: message.text,
      at: message.sentAt,
    });
    conversation.unread += unread ? 1 : 0;
    this.#trimAndSave(conversation);
  }

  addSent(peerId, clientMsgId, text, senderId, senderRole) {
    const conversation = this.ensure(peerId);
    conversation.messages.push({
      mine: true,
      clientMsgId,
      messageId: null,
      senderId,
      senderRole,
      text,
      at: new Date().toISOString(),
      status: 'waiting',
    });
    this.#trimAndSave(conversation);
  }

  /**
   * Applies a status change of one of my messages, found by client_msg_id or message_id; returns
   * the peer id whose conversation changed, or null. Receipts only move a status forward.
   */
  updateStatus({ clientMsgId, messageId, targetId, status, error }) {
    const matches = (m) => m.mine
        && ((clientMsgId && m.clientMsgId === clientMsgId) || (messageId && m.messageId === messageId));
    let peer = targetId;
    let message = this.#conversations[targetId]?.messages.find(matches);
    if (!message) {
      // a broadcast's `delivered` receipts name each recipient, not the role it was sent to
      for (const [candidate, conversation] of Object.entries(this.#conversations)) {
        message = conversation.messages.find(matches);
        if (message) {
          peer = candidate;
          break;
        }
      }
    }
    if (!message) {
      return null;
    }
    const receipt = RANK[status] > 0;
    if (receipt && RANK[status] <= RANK[message.status]) {
      return null;
    }
    message.status = status;
    message.messageId = messageId ?? message.messageId;
    message.error = error?.message ?? null;
    message.errorCode = error?.code ?? null;
    this.#save();
    return peer;
  }

  /**
   * A message that was waiting or sending when the last page closed has no one tracking it any
   * more; whether the server stored it is unknown, so the user decides whether to send it again.
   */
  #settleStale() {
    for (const conversation of Object.values(this.#conversations)) {
      for (const message of conversation.messages) {
        if (message.mine && (message.status === 'waiting' || message.status === 'sending')) {
          message.status = 'unconfirmed';
        }
      }
    }
  }

  #lastAt(peerId) {
    const messages = this.messages(peerId);
    return messages.length ? messages[messages.length - 1].at : '';
  }

  #trimAndSave(conversation) {
    conversation.messages.splice(0, Math.max(0, conversation.messages.length - MESSAGES_PER_CONVERSATION));
    this.#save();
  }

  #load() {
    const stored = this.storage.getItem(this.#key);
    if (!stored) {
      return {};
    }
    try {
      return JSON.parse(stored);
    } catch (e) {
      // a corrupt history must not lock the user out of the chat: start a new one, say so
      console.warn(`Estate Chat: discarded an unreadable history (${e.message})`);
      return {};
    }
  }

  #save() {
    try {
      this.storage.setItem(this.#key, JSON.stringify(this.#conversations));
    } catch (e) {
      // storage full or disabled: the chat still works, only the history will not survive a reload
      console.warn(`Estate Chat: could not keep the history (${e.message})`);
    }
  }
}
