import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { serveIpc } from './ipc.ts';

// The fast upstream every path ends at: a fixed ~100-byte JSON answer, keep-alive, no work. It
// says whether a bearer token arrived, so the pre-flight check proves each relay adds one.
const body = (authorized: boolean) =>
  Buffer.from(JSON.stringify({ id: 42, name: 'bench item', tags: ['alpha', 'beta'], price: 9.5, authorized, v: 1 }));
const WITH_TOKEN = body(true);
const WITHOUT = body(false);

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const json = req.headers.authorization?.startsWith('Bearer ') ? WITH_TOKEN : WITHOUT;
  req.resume(); // a body, if any, is read and dropped
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': json.length });
  res.end(json);
});
// WebSocket echo (any path) for the suite's "what a relayed WebSocket adds" figure.
new WebSocketServer({ server, perMessageDeflate: false }).on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveIpc({ url: `http://127.0.0.1:${port}` }, () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
});
