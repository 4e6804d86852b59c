'use strict';
// Keeps N WebSockets open through Portcullis for a fixed time, each sending a numbered message
// every second and checking that exactly that message comes back; every few seconds a few
// sockets are closed (1000) and reopened, so handshakes and closes are part of the load.
// Usage: node ws-soak.js URL SECONDS [SOCKETS] — prints one JSON summary line; exit 1 on any failure.
const WebSocket = require('ws');

const [url, secondsArg, socketsArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const sockets = Number(socketsArg || 200);
const ECHO_TIMEOUT_MS = 10000;      // an echo later than this counts as a failure
const RECYCLE_EVERY_MS = 5000;      // every 5 s ...
const RECYCLE_COUNT = 5;            // ... 5 sockets are closed and reopened

const stats = { opened: 0, recycled: 0, sent: 0, echoed: 0, failures: 0 };
const failures = [];
let stopping = false;

function fail(reason) {
  stats.failures++;
  if (failures.length < 20) failures.push(`${new Date().toISOString()} ${reason}`);
}

class Client {
  constructor(id) { this.id = id; this.open(); }

  open() {
    this.seq = 0;
    this.pending = new Map();        // payload -> time sent
    this.closing = false;
    const ws = new WebSocket(url, { rejectUnauthorized: false, perMessageDeflate: false, handshakeTimeout: 10000 });
    this.ws = ws;
    ws.on('open', () => {
      stats.opened++;
      this.timer = setInterval(() => this.send(), 1000);
    });
    ws.on('message', (data, isBinary) => {
      const text = data.toString();
      if (!isBinary && text.startsWith('{')) return;   // the emulator's HELLO, as authentik's outposts get
      if (!this.pending.delete(text)) fail(`socket ${this.id}: unexpected message ${text.slice(0, 60)}`);
      else stats.echoed++;
    });
    ws.on('unexpected-response', (req, res) => fail(`socket ${this.id}: handshake answered ${res.statusCode}`));
    ws.on('error', err => { if (!stopping) fail(`socket ${this.id}: ${err.message}`); });
    ws.on('close', (code, reason) => {
      clearInterval(this.timer);
      if (!this.closing && !stopping) {
        fail(`socket ${this.id}: closed by the other side ${code} ${reason}`);
        setTimeout(() => this.open(), 1000);
      }
    });
  }

  send() {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    for (const [payload, at] of this.pending) {
      if (now - at > ECHO_TIMEOUT_MS) { fail(`socket ${this.id}: no echo of ${payload} in ${ECHO_TIMEOUT_MS} ms`); this.pending.delete(payload); }
    }
    const payload = `${this.id}:${++this.seq}:${'x'.repeat(this.seq % 200)}`;
    this.pending.set(payload, now);
    this.ws.send(payload);
    stats.sent++;
  }

  // Closes normally and waits for the close handshake, then reports unanswered messages.
  close() {
    return new Promise(resolve => {
      this.closing = true;
      clearInterval(this.timer);
      const ws = this.ws;
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      const t = setTimeout(() => { fail(`socket ${this.id}: no close handshake in 5 s`); ws.terminate(); resolve(); }, 5000);
      ws.once('close', (code) => {
        clearTimeout(t);
        if (code !== 1000) fail(`socket ${this.id}: closed with ${code}, expected 1000`);
        resolve();
      });
      ws.close(1000, 'soak');
    });
  }
}

async function main() {
  const clients = [];
  for (let i = 0; i < sockets; i++) {
    clients.push(new Client(i));
    if (i % 20 === 19) await new Promise(r => setTimeout(r, 50));   // no thundering herd at start
  }
  const recycler = setInterval(async () => {
    for (let k = 0; k < RECYCLE_COUNT; k++) {
      const c = clients[Math.floor(Math.random() * clients.length)];
      if (c.ws.readyState !== WebSocket.OPEN || c.closing) continue;
      // Messages in flight when we close may legitimately go unanswered: forget them.
      await c.close();
      c.pending.clear();
      stats.recycled++;
      c.open();
    }
  }, RECYCLE_EVERY_MS);

  await new Promise(r => setTimeout(r, seconds * 1000));
  clearInterval(recycler);
  // Give outstanding echoes a moment, then close everything cleanly.
  for (const c of clients) clearInterval(c.timer);
  await new Promise(r => setTimeout(r, 2000));
  const lost = clients.reduce((n, c) => n + (c.ws.readyState === WebSocket.OPEN ? c.pending.size : 0), 0);
  if (lost) fail(`${lost} messages never echoed`);
  stopping = false;
  await Promise.all(clients.map(c => c.close()));
  stopping = true;
  const openAtEnd = clients.filter(c => c.ws.readyState === WebSocket.CLOSED).length;
  console.log(JSON.stringify({ ...stats, sockets, closed_cleanly_at_end: openAtEnd, failure_samples: failures }));
  process.exit(stats.failures ? 1 : 0);
}

for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(2));
main().catch(e => { console.error(e); process.exit(1); });
