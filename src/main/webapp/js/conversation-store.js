/**
 * The signed-in user's conversations, kept in localStorage: the server forgets a message once this
 * page acks it, so the page is where the history lives. One entry per message, mine or theirs.
 * Conversations are held in a Map by peer id: every valid user id is a key, "__proto__",
 * "constructor" and "toString" included (as properties of a plain object they found
 * Object.prototype's members, and the page lost such a user's messages).
 */

const MESSAGES_PER_CONVERSATION = 200;
const RANK = new Map(Object.entries({ waiting: 0, sending: 0, unconfirmed: 0, failed: 0, queued: 1, delivered: 2, read: 3 }));
/** Every key this page writes, in localStorage and sessionStorage, starts with this. */
export const STORAGE_PREFIX = 'estate-chat:';

/** Removes every key of this app from the storages given: what sign-out leaves behind is nothing. */
export function clearStoredChat(storages = [globalThis.localStorage, globalThis.sessionStorage]) {
  for (const storage of storages) {
    const keys = [];
    for (let i = 0; i < storage.length; i += 1) {
      keys.push(storage.key(i));
    }
    keys.filter((key) => key?.startsWith(STORAGE_PREFIX)).forEach((key) => storage.removeItem(key));
  }
}

export class ConversationStore {
  #key;
  #conversations;

  constructor(userId, storage = globalThis.localStorage) {
    this.#key = `${STORAGE_PREFIX}v1:${userId}`;
    this.storage = storage;
    this.#conversations = this.#load();
    this.#settleStale();
  }

  /** Peer ids, the most recently active first. */
  peers() {
    return [...this.#conversations.keys()].sort((a, b) => this.#lastAt(b).localeCompare(this.#lastAt(a)));
  }

  messages(peerId) {
    return this.#conversations.get(peerId)?.messages ?? [];
  }

  unread(peerId) {
    return this.#conversations.get(peerId)?.unread ?? 0;
  }

  ensure(peerId) {
    if (!this.#conversations.has(peerId)) {
      this.#conversations.set(peerId, { messages: [], unread: 0 });
    }
    return this.#conversations.get(peerId);
  }

  markRead(peerId) {
    const conversation = this.#conversations.get(peerId);
    if (conversation) {
      conversation.unread = 0;
      this.#save();
    }
  }

  /** Ids of every received message, for the client's duplicate check after a reload. */
  receivedIds() {
    return [...this.#conversations.values()].flatMap((c) => c.messages.filter((m) => !m.mine).map((m) => m.messageId));
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
    let message = this.#conversations.get(targetId)?.messages.find(matches);
    if (!message) {
      // a broadcast's `delivered` receipts name each recipient, not the role it was sent to
      for (const [candidate, conversation] of this.#conversations) {
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
    const receipt = (RANK.get(status) ?? 0) > 0;
    if (receipt && RANK.get(status) <= (RANK.get(message.status) ?? 0)) {
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
    for (const conversation of this.#conversations.values()) {
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

  /**
   * Stored as a JSON object by peer id. JSON.parse makes "__proto__" an own property like any
   * other, and Object.entries and Object.fromEntries keep it one, so the format is unchanged.
   */
  #load() {
    const stored = this.storage.getItem(this.#key);
    if (!stored) {
      return new Map();
    }
    try {
      const parsed = JSON.parse(stored);
      return new Map(Object.entries(parsed).filter(([, c]) => Array.isArray(c?.messages)));
    } catch (e) {
      // a corrupt history must not lock the user out of the chat: start a new one, say so
      console.warn(`Estate Chat: discarded an unreadable history (${e.message})`);
      return new Map();
    }
  }

  #save() {
    try {
      this.storage.setItem(this.#key, JSON.stringify(Object.fromEntries(this.#conversations)));
    } catch (e) {
      // storage full or disabled: the chat still works, only the history will not survive a reload
      console.warn(`Estate Chat: could not keep the history (${e.message})`);
    }
  }
}
