import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

type Respond = (req: SeenRequest, res: http.ServerResponse) => void;
type Handle = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * A downstream API on a loopback port that records what reaches it and answers JSON
 * `{ url, authorization }` unless a test swaps `respond` (called once the body is read) or takes
 * over with `handle` (called at the request's headers; nothing is recorded in `seen` then).
 * `arrived` counts every request that reached it, `connections` every TCP connection: a test that
 * has its answer from the BFF can assert on them at once ("nothing reached the upstream") instead
 * of sleeping.
 */
export async function startUpstream() {
  const seen: SeenRequest[] = [];
  const defaultRespond: Respond = (s, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream=1; Path=/' });
    res.end(JSON.stringify({ url: s.url, authorization: s.headers.authorization }));
  };
  let respond = defaultRespond;
  let handle: Handle | undefined;
  const counts = { arrived: 0, connections: 0 };
  const server = http.createServer((req, res) => {
    counts.arrived++;
    if (handle) {
      handle(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('latin1') };
      seen.push(s);
      respond(s, res);
    });
  });
  server.on('connection', () => counts.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    server,
    get arrived() {
      return counts.arrived;
    },
    get connections() {
      return counts.connections;
    },
    set respond(fn: Respond) {
      respond = fn;
    },
    set handle(fn: Handle | undefined) {
      handle = fn;
    },
    /** Forgets what was seen. */
    clear() {
      seen.length = 0;
      counts.arrived = 0;
    },
    /** Forgets what was seen and goes back to the default behaviour. */
    reset() {
      seen.length = 0;
      counts.arrived = 0;
      respond = defaultRespond;
      handle = undefined;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export type Upstream = Awaited<ReturnType<typeof startUpstream>>;
