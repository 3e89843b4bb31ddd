import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A downstream API on a loopback port that records what reaches it and answers JSON
 * `{ url, authorization }` unless a test swaps `respond`.
 */
export async function startUpstream() {
  const seen: SeenRequest[] = [];
  let respond: (req: SeenRequest, res: http.ServerResponse) => void = (s, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream=1; Path=/' });
    res.end(JSON.stringify({ url: s.url, authorization: s.headers.authorization }));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(s);
      respond(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    set respond(fn: (req: SeenRequest, res: http.ServerResponse) => void) {
      respond = fn;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
