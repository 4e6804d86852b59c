'use strict';
// The WebSocket upstream every proxy forwards /ws to: TLS, echoes each message back unchanged.
// Usage: node echo-server.js --port 9444 --cert cert.pem --key key.pem
const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');
const { args } = require('./proc');

const a = args(process.argv, { port: '9444', host: '127.0.0.1' });
const server = https.createServer({ cert: fs.readFileSync(a.cert), key: fs.readFileSync(a.key) }, (req, res) => {
  res.writeHead(426, { 'content-type': 'text/plain' });
  res.end('WebSocket only\n');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1 << 20 });
wss.on('connection', ws => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on('error', () => {});
});
server.listen(Number(a.port), a.host, () => console.log(`ws echo listening on ${a.host}:${a.port}`));
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
