'use strict';
// Opens --idle WebSockets through a proxy and holds them idle: the proxy's RSS growth per socket.
// Then echoes --size-byte messages on --inflight of them for --seconds: echoes per second, and the
// proxy's CPU per echo. Prints one JSON line. Every wait is bounded.
// Usage: node ws-bench.js --url wss://sso.domain.tld:18443/ws --pids "123 124" [--idle 2000]
const WebSocket = require('ws');
const { cpuMicros, rssKiB, pidsFromArg, args, sleep } = require('./proc');

const a = args(process.argv, { idle: '2000', inflight: '16', size: '64', seconds: '5', batch: '50', settle: '2000', timeout: '60000' });
const pids = pidsFromArg(a.pids);
const total = Number(a.idle);
const result = { requested: total, opened: 0, failed: 0 };
const sockets = [];

function open() {
  return new Promise(resolve => {
    const ws = new WebSocket(a.url, { rejectUnauthorized: false, perMessageDeflate: false, handshakeTimeout: 10000 });
    ws.on('open', () => { result.opened++; sockets.push(ws); resolve(); });
    ws.on('error', e => { result.failed++; result.error = String(e.message || e); resolve(); });
  });
}

async function main() {
  const deadline = Date.now() + Number(a.timeout);
  await sleep(500);
  const before = rssKiB(pids);
  for (let i = 0; i < total && Date.now() < deadline; i += Number(a.batch)) {
    await Promise.all(Array.from({ length: Math.min(Number(a.batch), total - i) }, open));
  }
  await sleep(Number(a.settle));
  const after = rssKiB(pids);
  result.rss_before_kib = before;
  result.rss_after_kib = after;
  result.kib_per_ws = result.opened > 0 ? (after - before) / result.opened : null;

  // Echo: one 64-byte message in flight on each of --inflight sockets, for a fixed time.
  const payload = Buffer.alloc(Number(a.size), 0x61);
  const active = sockets.slice(0, Number(a.inflight));
  let echoes = 0;
  let running = true;
  for (const ws of active) {
    ws.on('message', () => { echoes++; if (running) ws.send(payload); });
  }
  const cpu0 = cpuMicros(pids);
  const t0 = process.hrtime.bigint();
  for (const ws of active) ws.send(payload);
  await sleep(Number(a.seconds) * 1000);
  running = false;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuMicros(pids);
  result.echo_per_s = echoes / seconds;
  result.echo_cpu_us = echoes > 0 ? (cpu1 - cpu0) / echoes : null;

  for (const ws of sockets) ws.terminate();
  console.log(JSON.stringify(result));
  process.exit(0);
}

main().catch(e => { console.error(e); process.exit(1); });
