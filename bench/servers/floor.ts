import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveIpc } from './ipc.ts';

// The floor: the thinnest relay node:http allows, to measure the BFF against. Same pool settings
// as the BFF's relay (keep-alive, LIFO). It adds the bearer token, drops the cookie (so the
// upstream gets the same request as from the BFF) and pipes both ways, with node's cheapest
// paths: flat raw header arrays both ways (no header objects) and no request pipe without a body.
// No checks, no policy: anything the BFF does beyond this is the price of its features.
const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const TOKEN = `Bearer ${process.env.FLOOR_TOKEN ?? 'floor'}`;
const SKIP = new Set(['host', 'cookie', 'authorization', 'connection', 'keep-alive']);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo' });

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const raw = req.rawHeaders;
  const headers: string[] = ['host', upstream.host];
  let hasBody = false;
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (SKIP.has(lower)) continue;
    if (lower === 'content-length' ? raw[i + 1] !== '0' : lower === 'transfer-encoding') hasBody = true;
    headers.push(raw[i]!, raw[i + 1]!);
  }
  headers.push('authorization', TOKEN);
  const ureq = http.request({ agent, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (ures) => {
    res.writeHead(ures.statusCode ?? 502, ures.rawHeaders);
    ures.pipe(res);
  });
  ureq.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  if (hasBody) req.pipe(ureq);
  else ureq.end();
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveIpc({ url: `http://127.0.0.1:${port}` }, () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    agent.destroy();
  }));
});
