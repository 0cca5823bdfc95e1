// Runs in the page (Selenium executeAsyncScript): drives estate-chat-client.js through a fake
// WebSocket, to check what a live server can hardly provoke on demand: duplicates, receipts out
// of order, a drop with a message in flight, a token renewed in place and one the server ended,
// refusals in words, a read mark the server's store does not know yet, a server going away. Reports what it saw; the Java test judges it.
const done = arguments[arguments.length - 1];
import(new URL('js/estate-chat-client.js', location.href).href).then(({ EstateChatClient, describeError, isRetryable, tokenProtocols }) => {
  const sockets = [];
  class FakeSocket extends EventTarget {
    static OPEN = 1;
    constructor(url) {
      super();
      this.url = url;
      this.readyState = 1;
      this.sent = [];
      sockets.push(this);
      if (sockets.length === 2) {
        queueMicrotask(second);
      }
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close(code) {
      this.readyState = 3;
      this.dispatchEvent(Object.assign(new Event('close'), { code, reason: '' }));
    }
    receive(frame) { this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(frame) })); }
  }

  const client = new EstateChatClient({ url: () => 'ws://chat.invalid/ws?id=bob', WebSocket: FakeSocket, backoff: { initialMs: 20, maxMs: 80 } });
  const shown = [];
  const statuses = [];
  const states = [];
  client.addEventListener('message', (e) => { shown.push(e.detail.messageId); client.ack(e.detail.messageId); });
  client.addEventListener('status', (e) => statuses.push(e.detail.status));
  client.addEventListener('statechange', (e) => states.push(e.detail.state));
  client.connect();

  const first = sockets[0];
  first.receive({ type: 'connected', user_id: 'bob', role: 'tenant', heartbeat_s: 30 });
  const message = { type: 'message', message_id: 'm1', sender_id: 'alice', sender_role: 'landlord', target_id: 'bob',
    message: 'hi', sent_at: '2026-01-01T00:00:00Z', redelivered: false };
  first.receive(message);
  first.receive({ ...message, redelivered: true });
  const acked = client.send('alice', 'hello');
  first.receive({ type: 'receipt', status: 'delivered', message_id: 'm2', target_id: 'alice', client_msg_id: acked, at: 'x' });
  first.receive({ type: 'receipt', status: 'queued', message_id: 'm2', target_id: 'alice', client_msg_id: acked, at: 'x' });
  client.send('alice', 'in flight when the line dropped');
  first.close(1006);
  const stateAfterDrop = client.state;
  client.send('alice', 'typed while offline');

  // the token goes as a subprotocol, renewed in place; a close that names the token stops the retries
  function tokens() {
    const opened = [];
    class TokenSocket extends EventTarget {
      static OPEN = 1;
      constructor(url, protocols) {
        super();
        this.url = url;
        this.protocols = protocols;
        this.readyState = 1;
        this.sent = [];
        opened.push(this);
      }
      send(text) { this.sent.push(JSON.parse(text)); }
      close(code, reason = '') {
        this.readyState = 3;
        this.dispatchEvent(Object.assign(new Event('close'), { code, reason }));
      }
      receive(frame) { this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(frame) })); }
    }
    let token = 'T1';
    const renewing = new EstateChatClient({ url: 'ws://chat.invalid/ws?id=bob', protocols: () => tokenProtocols(token),
      WebSocket: TokenSocket, backoff: { initialMs: 60_000, maxMs: 60_000 } });
    const events = [];
    renewing.addEventListener('renewed', (e) => events.push(`renewed:${e.detail.expiresAt}`));
    renewing.addEventListener('tokenrequired', (e) => events.push(`tokenrequired:${e.detail.closeReason}`));
    renewing.addEventListener('statechange', (e) => events.push(`state:${e.detail.state}`));
    renewing.connect();
    opened[0].receive({ type: 'connected', user_id: 'bob', role: 'tenant', heartbeat_s: 30 });
    const renewedWhileOpen = renewing.renew('T2');
    opened[0].receive({ type: 'auth_ok', expires_at: '2030-01-01T00:00:00Z' });
    opened[0].close(1008, 'token expired');
    const renewedWhileClosed = renewing.renew('T3');
    token = 'T3';
    renewing.connect();
    opened[1].receive({ type: 'connected', user_id: 'bob', role: 'tenant', heartbeat_s: 30 });
    // a 1008 that is not about the token (a client too slow to read) is retried as any drop
    opened[1].close(1008, 'too slow: send queue full');
    renewing.close();
    return {
      protocols: opened.map((s) => s.protocols),
      frames: opened[0].sent.map((f) => `${f.type}:${f.access_token}`),
      events,
      renewedWhileOpen,
      renewedWhileClosed,
      noTokenProtocols: tokenProtocols(''),
      unknownUser: [describeError('unknown_user'), isRetryable('unknown_user')],
      prototypeCode: describeError('constructor', 'fallback'),
    };
  }

  // a read mark waits for the connection; refused while the store lags, it is sent again, quietly
  function reads() {
    const opened = [];
    class ReadSocket extends EventTarget {
      static OPEN = 1;
      constructor(url) {
        super();
        this.url = url;
        this.readyState = 1;
        this.sent = [];
        opened.push(this);
      }
      send(text) { this.sent.push(JSON.parse(text)); }
      close(code, reason = '') {
        this.readyState = 3;
        this.dispatchEvent(Object.assign(new Event('close'), { code, reason }));
      }
      receive(frame) { this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(frame) })); }
    }
    const reader = new EstateChatClient({ url: 'ws://chat.invalid/ws?id=bob', WebSocket: ReadSocket,
      backoff: { initialMs: 60_000, maxMs: 60_000 }, readRetry: { initialMs: 5, attempts: 2, settledMs: 1_000 } });
    const errors = [];
    reader.addEventListener('chaterror', (e) => errors.push(`${e.detail.code}:${e.detail.messageId}`));
    const refuse = () => opened[0].receive({ type: 'error', code: 'unknown_message', message: 'not recorded yet', message_id: 'm7' });
    reader.read('m7');
    reader.connect();
    opened[0].receive({ type: 'connected', user_id: 'bob', role: 'tenant', heartbeat_s: 30 });
    refuse();
    return new Promise((resolve) => {
      setTimeout(() => {
        refuse();
        setTimeout(() => {
          const quietUntil = [...errors];
          refuse(); // a third refusal: given up, and said
          reader.close();
          resolve({ frames: opened[0].sent.map((f) => `${f.type}:${f.message_id}`), quietUntil, errors });
        }, 60);
      }, 40);
    });
  }

  // `going_away`: nothing more goes on that socket; what is typed waits for the next connection,
  // and a send the server refused meanwhile (with retry_after_ms) goes again after the hint
  function goingAway() {
    const opened = [];
    class DrainSocket extends EventTarget {
      static OPEN = 1;
      constructor(url) {
        super();
        this.url = url;
        this.readyState = 1;
        this.sent = [];
        opened.push(this);
      }
      send(text) { this.sent.push(JSON.parse(text)); }
      close(code, reason = '') {
        this.readyState = 3;
        this.dispatchEvent(Object.assign(new Event('close'), { code, reason }));
      }
      receive(frame) { this.dispatchEvent(Object.assign(new Event('message'), { data: JSON.stringify(frame) })); }
    }
    const draining = new EstateChatClient({ url: 'ws://chat.invalid/ws?id=bob', WebSocket: DrainSocket,
      backoff: { initialMs: 5, maxMs: 5 } });
    const statuses = [];
    draining.addEventListener('status', (e) => statuses.push(e.detail.status));
    const connected = { type: 'connected', user_id: 'bob', role: 'tenant', heartbeat_s: 30 };
    draining.connect();
    opened[0].receive(connected);
    const crossed = draining.send('alice', 'before the notice');
    opened[0].receive({ type: 'going_away', message: 'server shutting down' });
    draining.send('alice', 'after the notice');
    draining.read('m9');
    opened[0].receive({ type: 'error', code: 'unavailable', message: 'shutting down', client_msg_id: crossed, retry_after_ms: 40 });
    opened[0].close(1001, 'server shutting down');
    const frames = (socket) => socket.sent.map((f) => `${f.type}:${f.message ?? f.message_id}`);
    return new Promise((resolve) => {
      setTimeout(() => {
        opened[1].receive(connected);
        setTimeout(() => {
          const seen = { first: frames(opened[0]), second: frames(opened[1]), statuses: [...statuses] };
          draining.close();
          resolve(seen);
        }, 80);
      }, 15);
    });
  }

  function second() {
    const socket = sockets[1];
    socket.receive({ type: 'connected', user_id: 'bob', role: 'tenant', heartbeat_s: 30 });
    const seen = {
      tokens: tokens(),
      shown,
      firstSocketFrames: first.sent.map((f) => `${f.type}:${f.message_id ?? f.message}`),
      secondSocketFrames: socket.sent.map((f) => `${f.type}:${f.message_id ?? f.message}`),
      statuses,
      states,
      stateAfterDrop,
    };
    reads().then((read) => goingAway().then((drain) => done({ ...seen, reads: read, goingAway: drain })))
      .catch((e) => done({ failure: String(e) }));
  }
}).catch((e) => done({ failure: String(e) }));
