'use strict';
// Full TLS handshakes per second: --concurrency loops, each opening a new TCP connection, doing a
// TLS handshake without offering a session (no ticket, no session ID: Node's tls.connect keeps no
// cache unless given `session`), and closing it as soon as the handshake completes.
// Also the proxy's CPU per handshake. Prints one JSON line.
// Usage: node handshakes.js --host sso.domain.tld --port 18443 --pids "123" [--seconds 5]
const tls = require('tls');
const { cpuMicros, pidsFromArg, args } = require('./proc');

const a = args(process.argv, { seconds: '5', concurrency: '4', servername: 'sso.domain.tld', connect: '127.0.0.1' });
const pids = pidsFromArg(a.pids);
let done = 0;
let failed = 0;
let protocol = null;
let running = true;

function one() {
  return new Promise(resolve => {
    const socket = tls.connect({
      host: a.connect, port: Number(a.port), servername: a.servername,
      rejectUnauthorized: false, ALPNProtocols: ['http/1.1'],
    });
    socket.once('secureConnect', () => { done++; protocol = socket.getProtocol(); socket.destroy(); resolve(); });
    socket.once('error', () => { failed++; socket.destroy(); resolve(); });
  });
}

async function loop() { while (running) await one(); }

async function main() {
  const cpu0 = cpuMicros(pids);
  const t0 = process.hrtime.bigint();
  const loops = Array.from({ length: Number(a.concurrency) }, loop);
  setTimeout(() => { running = false; }, Number(a.seconds) * 1000);
  await Promise.all(loops);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuMicros(pids);
  console.log(JSON.stringify({
    handshakes: done, failed, protocol,
    handshakes_per_s: done / seconds,
    cpu_us_per_handshake: done > 0 ? (cpu1 - cpu0) / done : null,
  }));
}

main().catch(e => { console.error(e); process.exit(1); });
