import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { serveIpc } from './ipc.ts';

// The floor again, with undici's Pool as the upstream client instead of node:http's Agent: the
// thinnest relay Node can do today (issue 16). Same work as floor.ts: adds the bearer token,
// drops the cookie, passes raw header arrays both ways, streams with backpressure, no checks.
const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const TOKEN = `Bearer ${process.env.FLOOR_TOKEN ?? 'floor'}`;
const SKIP = new Set(['host', 'cookie', 'authorization', 'connection', 'keep-alive', 'transfer-encoding']);
const pool = new Pool(upstream.origin, { connections: 256, pipelining: 1 });

/** A dispatch handler (undici's raw callback interface: no header objects, no promise per request). */
function relayTo(res: http.ServerResponse): Dispatcher.DispatchHandler {
  let resume: (() => void) | undefined;
  res.on('drain', () => resume?.());
  return {
    onConnect(abort) {
      res.once('close', () => {
        if (!res.writableFinished) abort(new Error('client gone'));
      });
    },
    onHeaders(statusCode, rawHeaders, r) {
      resume = r;
      const headers: string[] = [];
      for (let i = 0; i < rawHeaders.length; i += 2) {
        const name = rawHeaders[i]!.toString('latin1');
        if (name.toLowerCase() !== 'connection' && name.toLowerCase() !== 'keep-alive') headers.push(name, rawHeaders[i + 1]!.toString('latin1'));
      }
      res.writeHead(statusCode, headers);
      return true;
    },
    onData(chunk) {
      return res.write(chunk);
    },
    onComplete() {
      res.end();
    },
    onError() {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    },
  };
}

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const raw = req.rawHeaders;
  const headers: string[] = ['host', upstream.host];
  let hasBody = false;
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (SKIP.has(lower)) {
      if (lower === 'transfer-encoding') hasBody = true;
      continue;
    }
    if (lower === 'content-length' && raw[i + 1] !== '0') hasBody = true;
    headers.push(raw[i]!, raw[i + 1]!);
  }
  headers.push('authorization', TOKEN);
  pool.dispatch({ method: req.method as Dispatcher.HttpMethod, path: req.url!, headers, body: hasBody ? req : null }, relayTo(res));
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  serveIpc({ url: `http://127.0.0.1:${port}` }, () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
    void pool.destroy();
  }));
});
