import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { sendProblem } from '../../bff/http/problem.ts';
import { toUpstreamPath } from '../../bff/relay/path.ts';
import { createForwarder, type Forwarder, type RelayOptions } from '../../bff/relay/forward.ts';
import { rawExchange } from './raw-http.ts';
import { startUpstream, type Upstream } from './upstream.ts';

export const PUBLIC_URL = new URL('https://app.example.com');

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/**
 * The forwarder alone (bff/relay/forward.ts) in front of a recording upstream: a node server that
 * does what the /api handler does minus CSRF and session (toUpstreamPath, forward, problem on
 * failure). `useRelayFront()` starts both once per file, makes a fresh forwarder to the upstream
 * (under `/v1`) before each test and closes every forwarder of the test after it (so each test
 * starts with an empty pool, and a test runner that swaps code per test, like Stryker's, sees
 * createForwarder run inside the test), resets the upstream, and returns the handle below.
 */
export function useRelayFront() {
  const h = {
    upstream: undefined as unknown as Upstream,
    frontPort: 0,
    forwarder: undefined as unknown as Forwarder,
    /** Called with the response before forward(), e.g. to set a header the way the BFF sets a cookie. */
    beforeForward: undefined as ((res: http.ServerResponse) => void) | undefined,
    /** How each forward() ended, by request target: 'resolved' or the error. */
    outcomes: [] as Array<{ url: string; outcome: unknown }>,
    outcomesOf: (url: string): unknown[] => h.outcomes.filter((o) => o.url === url).map((o) => o.outcome),
    /** A forwarder to `base` (closed after the test), made the current one. */
    use(base: string, options: Partial<Omit<RelayOptions, 'upstreamUrl' | 'publicUrl'>> = {}): Forwarder {
      const f = createForwarder({ upstreamUrl: new URL(base), timeoutMs: 5_000, publicUrl: PUBLIC_URL, ...options });
      forwarders.push(f);
      h.forwarder = f;
      return f;
    },
    /** A forwarder to the recording upstream under `/v1`, with these options. */
    useDefault(options: Partial<Omit<RelayOptions, 'upstreamUrl' | 'publicUrl'>> = {}): Forwarder {
      return h.use(`${h.upstream.url}/v1`, options);
    },
    send: (target: string, options: SendOptions = {}) => send(h.frontPort, target, options),
    sendRaw: (target: string, method = 'GET', extra = '') => sendRaw(h.frontPort, target, method, extra),
  };
  const forwarders: Forwarder[] = [];

  const front = http.createServer(async (req, res) => {
    try {
      const path = toUpstreamPath(req.url!);
      h.beforeForward?.(res);
      await h.forwarder.forward(req, res, 'test-token', path);
      h.outcomes.push({ url: req.url!, outcome: 'resolved' });
    } catch (err) {
      h.outcomes.push({ url: req.url!, outcome: err });
      sendProblem(res, err);
    }
  });

  beforeAll(async () => {
    h.upstream = await startUpstream();
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    h.frontPort = (front.address() as AddressInfo).port;
  });
  beforeEach(() => {
    h.useDefault();
  });
  afterEach(() => {
    for (const f of forwarders.splice(0)) f.close();
    h.upstream.reset();
    h.outcomes.length = 0;
    h.beforeForward = undefined;
  });
  afterAll(async () => {
    front.closeAllConnections();
    await new Promise((r) => front.close(r));
    await h.upstream.close();
  });
  return h;
}

export interface SendOptions {
  method?: string;
  headers?: http.OutgoingHttpHeaders | string[];
  body?: string | Buffer;
}

/** One request with node's client (the target is taken as is); targets it refuses go raw. */
export function send(port: number, target: string, options: SendOptions = {}): Promise<Reply> {
  if (/[^\u0021-\u00ff]/.test(target)) return sendRaw(port, target, options.method ?? 'GET');
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, method: options.method ?? 'GET', headers: options.headers, agent: false });
    req.on('error', reject);
    req.on('response', (res) => collect(res).then(resolve, reject));
    req.end(options.body);
  });
}

/** Reads a whole response. */
export function collect(res: http.IncomingMessage): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
    res.on('error', reject);
  });
}

/** A request written byte for byte (`extra`: more header lines, CRLF-terminated, then maybe a body). */
export async function sendRaw(port: number, target: string, method = 'GET', extra = ''): Promise<Reply> {
  const payload = Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: app.example.com\r\nConnection: close\r\n${extra}\r\n`, 'utf8');
  const { responses } = await rawExchange(`http://127.0.0.1:${port}`, payload);
  const r = responses[0];
  if (r === undefined) return { status: 0, headers: {}, rawHeaders: [], body: Buffer.alloc(0) };
  const headers: http.IncomingHttpHeaders = {};
  const rawHeaders: string[] = [];
  for (const [name, values] of r.headers) {
    headers[name] = values.join(', ');
    for (const v of values) rawHeaders.push(name, v);
  }
  return { status: r.status, headers, rawHeaders, body: Buffer.from(r.body, 'latin1') };
}

export function problemCode(r: Reply): unknown {
  return r.body.length ? (JSON.parse(r.body.toString()) as { code?: unknown }).code : undefined;
}

/** A loopback port nobody listens on. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
