/**
 * The signed-in user's conversations as this page knows them: what the server's conversation store
 * answered (through the REST API), what arrived live since, and my messages not yet stored.
 * localStorage keeps a copy, shown at once on the next visit and then merged with the server's
 * answer; a message is one entry, found again by its message_id (or, for one of mine the server
 * has not confirmed yet, by its client_msg_id).
 * Conversations are held in a Map by peer id: every valid user id is a key, "__proto__",
 * "constructor" and "toString" included (as properties of a plain object they found
 * Object.prototype's members, and the page lost such a user's messages).
 */

/** How many of each conversation's newest messages localStorage keeps; older ones come from the server. */
const MESSAGES_PER_CONVERSATION = 200;
const RANK = new Map(Object.entries({ waiting: 0, sending: 0, busy: 0, unconfirmed: 0, failed: 0, queued: 1, delivered: 2, read: 3 }));
/** Mine that the server has not answered yet: shown last, whatever the clocks say. */
const PENDING = new Set(['waiting', 'sending', 'busy']);
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

const rank = (status) => RANK.get(status) ?? 0;
const time = (message) => Date.parse(message.at) || 0;

/**
 * Conversation order: by the server's time, then by message_id (a UUIDv7, ordered by time too);
 * mine still waiting for the server come last, in the order typed.
 */
function compareMessages(a, b) {
  const pending = Number(PENDING.has(a.status) && a.mine) - Number(PENDING.has(b.status) && b.mine);
  if (pending !== 0) {
    return pending;
  }
  return time(a) - time(b) || (a.messageId ?? '').localeCompare(b.messageId ?? '');
}

export class ConversationStore {
  #key;
  #userId;
  #conversations;
  /** The messages read from localStorage (as opposed to the server's or this visit's live ones). */
  #fromStorage = new WeakSet();

  constructor(userId, storage = globalThis.localStorage) {
    this.#key = `${STORAGE_PREFIX}v1:${userId}`;
    this.#userId = userId;
    this.storage = storage;
    this.#conversations = this.#load();
    this.#settleStale();
  }

  /** Peer ids, the most recently active first. */
  peers() {
    return [...this.#conversations.keys()].sort((a, b) => this.#lastAt(b) - this.#lastAt(a));
  }

  /** A conversation's messages, oldest first. */
  messages(peerId) {
    return this.#conversations.get(peerId)?.messages ?? [];
  }

  unread(peerId) {
    return this.#conversations.get(peerId)?.unread ?? 0;
  }

  /**
   * Whether the server may hold older messages of the conversation than the page shows: true or
   * false once the server said, null before (a conversation only this browser knows).
   */
  hasOlder(peerId) {
    const conversation = this.#conversations.get(peerId);
    if (!conversation || !conversation.messages.some((m) => m.messageId)) {
      return false;
    }
    return conversation.hasOlder ?? null;
  }

  /** The id of the oldest message the server knows of this conversation: where the next page starts. */
  oldestId(peerId) {
    return this.messages(peerId).find((m) => m.messageId)?.messageId ?? null;
  }

  ensure(peerId) {
    if (!this.#conversations.has(peerId)) {
      this.#conversations.set(peerId, { messages: [], unread: 0, hasOlder: null });
    }
    return this.#conversations.get(peerId);
  }

  /**
   * The user has read the conversation: its badge goes, every message from the peer counts as
   * read. Returns the id of the newest message from the peer that was not read yet, for the one
   * `read` frame that tells the server (and the peer) so; null when there is none.
   */
  markRead(peerId) {
    const conversation = this.#conversations.get(peerId);
    if (!conversation) {
      return null;
    }
    const theirs = conversation.messages.filter((m) => !m.mine && m.messageId);
    const newestUnread = theirs.findLast((m) => m.status !== 'read') ?? null;
    if (newestUnread === null && conversation.unread === 0) {
      return null;
    }
    if (newestUnread !== null) {
      theirs.filter((m) => m.messageId <= newestUnread.messageId).forEach((m) => { m.status = 'read'; });
    }
    conversation.unread = 0;
    this.#save();
    return newestUnread?.messageId ?? null;
  }

  /** Ids of every received message, for the client's duplicate check after a reload. */
  receivedIds() {
    return [...this.#conversations.values()].flatMap((c) => c.messages.filter((m) => !m.mine).map((m) => m.messageId));
  }

  /**
   * A message that arrived live. Returns false when the page had it already (from the server's
   * history, or an earlier delivery): it is then neither added nor counted again.
   */
  addReceived(message, unread) {
    const conversation = this.ensure(message.senderId);
    if (conversation.messages.some((m) => m.messageId === message.messageId)) {
      return false;
    }
    this.#insert(conversation, {
      mine: false,
      messageId: message.messageId,
      senderId: message.senderId,
      senderRole: message.senderRole,
      text: message.text,
      at: message.sentAt,
      // this page acks it: delivered, and read once the user has the conversation on screen
      status: 'delivered',
    });
    conversation.unread += unread ? 1 : 0;
    this.#save();
    return true;
  }

  addSent(peerId, clientMsgId, text, senderId, senderRole) {
    const conversation = this.ensure(peerId);
    this.#insert(conversation, {
      mine: true,
      clientMsgId,
      messageId: null,
      senderId,
      senderRole,
      text,
      at: new Date().toISOString(),
      status: 'waiting',
    });
    this.#save();
  }

  /**
   * The server's list of conversations (`ConversationsApi.conversations()`): each one and its last
   * message join what the page has, and its unread count replaces the page's. A message that
   * arrived live after the newest one the server listed was not in the server's count: it is
   * added.
   */
  applyConversations(list) {
    for (const { peerId, lastMessage, unread } of list) {
      const conversation = this.ensure(peerId);
      if (lastMessage) {
        this.#merge(conversation, lastMessage);
      }
      const newestListed = lastMessage?.messageId ?? '';
      const arrivedSince = conversation.messages.filter((m) => !m.mine && m.status !== 'read'
          && (m.messageId ?? '') > newestListed).length;
      conversation.unread = unread + arrivedSince;
    }
    this.#save();
  }

  /**
   * One page of a conversation's history from the server, newest first as the API gives it.
   * `newest`: the first page (no `before`). When it does not reach back to anything this browser
   * kept from an earlier visit, what it kept lies before a gap the page cannot see into: it goes,
   * and the server's pages replace it (live messages of this visit and my messages not stored yet
   * stay; the inbox brings whatever lies between them and the page).
   */
  applyHistory(peerId, { messages, more }, { newest }) {
    const conversation = this.ensure(peerId);
    const kept = conversation.messages.filter((m) => m.messageId && this.#fromStorage.has(m));
    const ids = new Set(messages.map((m) => m.messageId));
    const gap = newest && more && kept.length > 0 && !kept.some((m) => ids.has(m.messageId));
    if (gap) {
      conversation.messages = conversation.messages.filter((m) => !kept.includes(m));
    }
    for (const message of messages) {
      this.#merge(conversation, message);
    }
    // a first page that overlaps what the page has says nothing about what lies before that
    if (gap || !newest || !more || conversation.hasOlder === null) {
      conversation.hasOlder = more;
    }
    this.#save();
  }

  /**
   * Applies a status change of one of my messages, found by client_msg_id or message_id; returns
   * the peer id whose conversation changed, or null. Receipts only move a status forward. A `read`
   * receipt means the reader read every earlier message of mine too (as the server records it).
   */
  updateStatus({ clientMsgId, messageId, targetId, status, error, at }) {
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
    if (status === 'read') {
      // the receipt names the reader: read up to here in the conversation with the reader, and
      // in a broadcast's conversation when the message is a broadcast
      for (const conversation of new Set([this.#conversations.get(targetId), this.#conversations.get(peer)])) {
        conversation?.messages.filter((m) => m.mine && m.messageId && m.messageId <= messageId)
          .forEach((m) => { m.status = rank(m.status) < rank('read') ? 'read' : m.status; });
      }
      this.#save();
      return peer;
    }
    const receipt = rank(status) > 0;
    if (receipt && rank(status) <= rank(message.status)) {
      return null;
    }
    message.status = status;
    message.messageId = messageId ?? message.messageId;
    if (status === 'queued' && at) {
      // the server's clock, as in every other browser's view of the conversation
      message.at = at;
    }
    message.error = error?.message ?? null;
    message.errorCode = error?.code ?? null;
    // no longer pending, or stored at the server's time: it may move
    this.#conversations.get(peer).messages.sort(compareMessages);
    this.#save();
    return peer;
  }

  /** Joins a message from the server with the page's copy, if any: the further status wins. */
  #merge(conversation, stored) {
    const mine = stored.senderId === this.#userId;
    const existing = conversation.messages.find((m) => m.messageId === stored.messageId
        || (mine && m.mine && !m.messageId && stored.clientMsgId && m.clientMsgId === stored.clientMsgId));
    if (existing) {
      existing.messageId = stored.messageId;
      if (rank(stored.status) > rank(existing.status)) {
        existing.status = stored.status;
        existing.error = null;
        existing.errorCode = null;
      }
      existing.at = stored.sentAt ?? existing.at;
      conversation.messages.sort(compareMessages);
      return;
    }
    this.#insert(conversation, {
      mine,
      messageId: stored.messageId,
      clientMsgId: stored.clientMsgId ?? undefined,
      senderId: stored.senderId,
      senderRole: stored.senderRole,
      text: stored.text,
      at: stored.sentAt,
      status: stored.status,
    });
  }

  /** Puts a message in its place: at the end nearly always, before my pending ones otherwise. */
  #insert(conversation, message) {
    const { messages } = conversation;
    let index = messages.length;
    while (index > 0 && compareMessages(messages[index - 1], message) > 0) {
      index -= 1;
    }
    messages.splice(index, 0, message);
  }

  /**
   * A message that was waiting or sending when the last page closed has no one tracking it any
   * more; whether the server stored it is unknown, so the user decides whether to send it again
   * (unless the server's history shows it, found by its client_msg_id).
   */
  #settleStale() {
    for (const conversation of this.#conversations.values()) {
      for (const message of conversation.messages) {
        if (message.mine && PENDING.has(message.status)) {
          message.status = 'unconfirmed';
        }
      }
      conversation.messages.sort(compareMessages);
    }
  }

  #lastAt(peerId) {
    const messages = this.messages(peerId);
    return messages.length ? time(messages[messages.length - 1]) : 0;
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
      const conversations = new Map(Object.entries(parsed).filter(([, c]) => Array.isArray(c?.messages))
        .map(([peer, c]) => [peer, { messages: c.messages, unread: Number(c.unread) || 0, hasOlder: c.hasOlder ?? null }]));
      conversations.forEach((c) => c.messages.forEach((m) => this.#fromStorage.add(m)));
      return conversations;
    } catch (e) {
      // a corrupt history must not lock the user out of the chat: start a new one, say so
      console.warn(`Estate Chat: discarded an unreadable history (${e.message})`);
      return new Map();
    }
  }

  /** Only each conversation's newest messages are kept: the server has the rest. */
  #save() {
    const kept = [...this.#conversations].map(([peer, c]) => [peer, {
      messages: c.messages.slice(-MESSAGES_PER_CONVERSATION),
      unread: c.unread,
      hasOlder: c.messages.length > MESSAGES_PER_CONVERSATION ? true : c.hasOlder,
    }]);
    try {
      this.storage.setItem(this.#key, JSON.stringify(Object.fromEntries(kept)));
    } catch (e) {
      // storage full or disabled: the chat still works, only the history will not survive a reload
      console.warn(`Estate Chat: could not keep the history (${e.message})`);
    }
  }
}
