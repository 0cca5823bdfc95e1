// Runs in the page (Selenium executeAsyncScript): drives estate-chat-client.js through a fake
// WebSocket, to check what a live server can hardly provoke on demand: duplicates, receipts out
// of order, a drop with a message in flight. Reports what it saw; the Java test judges it.
const done = arguments[arguments.length - 1];
import(new URL('js/estate-chat-client.js', location.href).href).then(({ EstateChatClient }) => {
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

  function second() {
    const socket = sockets[1];
    socket.receive({ type: 'connected', user_id: 'bob', role: 'tenant', heartbeat_s: 30 });
    done({
      shown,
      firstSocketFrames: first.sent.map((f) => `${f.type}:${f.message_id ?? f.message}`),
      secondSocketFrames: socket.sent.map((f) => `${f.type}:${f.message_id ?? f.message}`),
      statuses,
      states,
      stateAfterDrop,
    });
  }
}).catch((e) => done({ failure: String(e) }));
