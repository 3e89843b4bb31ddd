import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { startTestBff, PUBLIC_ORIGIN, TEST_SECRET, type TestBff } from '../support/bff.ts';
import { Browser } from '../support/browser.ts';
import { createBff } from '../../bff/index.ts';
import { DEFAULT_CLIENT, fetchFromHandlers } from '../support/idp/index.ts';

// WebSockets through the BFF (CONTRACT.md, "WebSocket and server-sent events"): every check before
// the handshake, the bearer token upstream, frames unmodified, 1008 when the session ends.

let now = Date.now();
let bff: TestBff;
let upstream: http.Server;
let wss: WebSocketServer;
let upstreamBase = '';
/** Handshakes that reached the upstream, with their headers. */
const handshakes: http.IncomingHttpHeaders[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ authorization: req.headers.authorization }));
  });
  // Picks the last subprotocol offered, so a test can see the upstream's choice reach the browser.
  wss = new WebSocketServer({ server: upstream, handleProtocols: (offered) => [...offered].at(-1) ?? false });
  wss.on('connection', (socket, req) => {
    handshakes.push(req.headers);
    // An echo that keeps each message's kind (text or binary) and bytes.
    socket.on('message', (data: RawData, isBinary) => socket.send(data as Buffer, { binary: isBinary }));
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  upstreamBase = base;
  bff = await startTestBff({
    clock: () => now,
    env: { SESSION_IDLE_TIMEOUT_S: '600' },
    file: {
      apis: [
        { path: '/api/live', upstream: `${base}/feed`, websocket: true },
        { path: '/api/admin-live', upstream: `${base}/admin`, websocket: true, require: { claims: { role: 'admin' } } },
        { path: '/api/plain', upstream: base },
      ],
    },
  });
});

afterAll(async () => {
  await bff.close();
  for (const c of wss.clients) c.terminate();
  wss.close();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

beforeEach(() => {
  handshakes.length = 0;
  now = Date.now();
  bff.idp.reset();
});

async function signedIn(): Promise<Browser> {
  const b = bff.browser();
  expect((await bff.signIn(b)).status).toBe(302);
  return b;
}

type Outcome = { ws: WebSocket; setCookies: string[] } | { status: number; body: { code?: string } };

/** Opens a WebSocket to the BFF with these headers: the open socket, or the refusal. */
function connect(path: string, headers: Record<string, string>): Promise<Outcome> {
  const url = `${bff.url.replace('http:', 'ws:')}${path}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    let setCookies: string[] = [];
    ws.on('upgrade', (res) => (setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? [])));
    ws.on('open', () => resolve({ ws, setCookies }));
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }) : {} }));
    });
    ws.on('error', reject);
  });
}

const browserHeaders = (b: Browser, extra: Record<string, string> = {}) => ({ cookie: b.cookieHeader(), origin: PUBLIC_ORIGIN, ...extra });

function opened(o: Outcome): { ws: WebSocket; setCookies: string[] } {
  if (!('ws' in o)) throw new Error(`refused: ${o.status} ${JSON.stringify(o.body)}`);
  return o;
}

function refused(o: Outcome): { status: number; code: string | undefined } {
  if ('ws' in o) {
    o.ws.terminate();
    throw new Error('the handshake was accepted');
  }
  return { status: o.status, code: o.body.code };
}

/** The next message, with its kind. */
function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: RawData, isBinary) => resolve({ data: data as Buffer, isBinary })));
}

function closeCode(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

describe('WebSocket relay', () => {
  it('relays frames both ways unmodified, text and binary, with the session token upstream and no cookie', async () => {
    const b = await signedIn();
    const { ws } = opened(await connect('/api/live/notes', browserHeaders(b)));
    expect(handshakes).toHaveLength(1);
    const viaHttp = (await (await b.api('/api/plain/who')).json()) as { authorization: string };
    expect(handshakes[0]!.authorization).toBe(viaHttp.authorization);
    expect(handshakes[0]!.authorization).toMatch(/^Bearer \S+$/);
    expect(handshakes[0]!.cookie).toBeUndefined();

    const text = 'héllo, wörld ✓';
    ws.send(text);
    const t = await nextMessage(ws);
    expect(t.isBinary).toBe(false);
    expect(t.data.toString('utf8')).toBe(text);

    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff)); // 64-bit length frame
    ws.send(binary);
    const m = await nextMessage(ws);
    expect(m.isBinary).toBe(true);
    expect(m.data.equals(binary)).toBe(true);
    ws.close();
  });

  it('passes the subprotocol negotiation both ways (offered by the browser, chosen by the API)', async () => {
    const b = await signedIn();
    const ws = new WebSocket(`${bff.url.replace('http:', 'ws:')}/api/live`, ['chat.v1', 'chat.v2'], { headers: browserHeaders(b) });
    await once(ws, 'open');
    expect(handshakes[0]!['sec-websocket-protocol']).toBe('chat.v1,chat.v2'); // as the client sent it
    expect(ws.protocol).toBe('chat.v2');
    ws.close();
  });

  it('refuses an Origin that is not exactly the public origin, before any handshake upstream', async () => {
    const b = await signedIn();
    for (const origin of ['http://evil.example', `${PUBLIC_ORIGIN}.evil.example`, 'http://localhost:3001', 'null']) {
      expect(refused(await connect('/api/live', browserHeaders(b, { origin })))).toEqual({ status: 403, code: 'csrf' });
    }
    const { origin: _none, ...noOrigin } = browserHeaders(b);
    expect(refused(await connect('/api/live', noOrigin))).toEqual({ status: 403, code: 'csrf' });
    expect(handshakes).toHaveLength(0);
  });

  it('refuses Sec-Fetch-Site: cross-site even with the right Origin', async () => {
    const b = await signedIn();
    expect(refused(await connect('/api/live', browserHeaders(b, { 'sec-fetch-site': 'cross-site' })))).toEqual({ status: 403, code: 'csrf' });
    expect(handshakes).toHaveLength(0);
  });

  it('answers 401 unauthenticated without a session, before any handshake upstream', async () => {
    expect(refused(await connect('/api/live', { origin: PUBLIC_ORIGIN }))).toEqual({ status: 401, code: 'unauthenticated' });
    expect(handshakes).toHaveLength(0);
  });

  it('answers 403 forbidden when the route\'s require is not met', async () => {
    const b = await signedIn();
    expect(refused(await connect('/api/admin-live', browserHeaders(b)))).toEqual({ status: 403, code: 'forbidden' });
    expect(handshakes).toHaveLength(0);
  });

  it('answers 400 bad_request on a route without websocket: true, and outside /api', async () => {
    const b = await signedIn();
    expect(refused(await connect('/api/plain/feed', browserHeaders(b)))).toEqual({ status: 400, code: 'bad_request' });
    expect(refused(await connect('/auth/session', browserHeaders(b)))).toEqual({ status: 400, code: 'bad_request' });
    expect(handshakes).toHaveLength(0);
  });

  it('refreshes a stale token before the handshake: the upstream gets the new one, the browser the new cookie with the 101', async () => {
    const b = await signedIn();
    const before = (await (await b.api('/api/plain/who')).json()) as { authorization: string };
    now += 6 * 60 * 1000; // the access token (5 min) is stale, the session (10 min idle) is not
    const { ws, setCookies } = opened(await connect('/api/live', browserHeaders(b)));
    expect(bff.idp.calls.tokenRefresh).toBe(1);
    expect(handshakes[0]!.authorization).toMatch(/^Bearer \S+$/);
    expect(handshakes[0]!.authorization).not.toBe(before.authorization);
    expect(setCookies.some((c) => c.startsWith('bff-session=Fe26'))).toBe(true);
    ws.close();
  });

  it('closes the socket with 1008 when the user logs out', async () => {
    const b = await signedIn();
    const { ws } = opened(await connect('/api/live', browserHeaders(b)));
    const closed = closeCode(ws);
    const { logoutUrl } = (await (await b.get('/auth/session')).json()) as { logoutUrl: string };
    expect((await b.get(new URL(logoutUrl, PUBLIC_ORIGIN).pathname + new URL(logoutUrl, PUBLIC_ORIGIN).search)).status).toBe(302);
    expect(await closed).toEqual({ code: 1008, reason: 'session ended' });
  });

  it('closes the socket with 1008 when the provider logs the session out over the back channel', async () => {
    const b = await signedIn();
    const psid = bff.idp.issuedSids().at(-1)!;
    const { ws } = opened(await connect('/api/live', browserHeaders(b)));
    const closed = closeCode(ws);
    const token = await bff.idp.logoutToken({ sid: psid });
    const res = await fetch(new URL('/auth/backchannel-logout', bff.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }) });
    expect(res.status).toBe(200);
    expect(await closed).toEqual({ code: 1008, reason: 'session ended' });
  });

  it('closes the socket with 1008 when the session times out idle, but not while the session is used over HTTP', async () => {
    const b = await signedIn();
    const { ws } = opened(await connect('/api/live', browserHeaders(b)));
    const closed = closeCode(ws);
    // Used over HTTP 5 minutes later: the idle clock moves, the socket stays.
    now += 5 * 60 * 1000;
    expect((await b.api('/api/plain/who')).status).toBe(200);
    now += 6 * 60 * 1000; // 11 min after the handshake, 6 after the last use: not idle yet
    ws.send('still there?');
    expect((await nextMessage(ws)).data.toString()).toBe('still there?');
    now += 5 * 60 * 1000; // 11 min after the last use: over the 10 min idle timeout
    expect(await closed).toEqual({ code: 1008, reason: 'session ended' });
  });
});

describe('shutdown', () => {
  it('closes relayed WebSockets with 1001 so the server can stop (node waits for upgraded sockets)', async () => {
    const own = await startTestBff({ idp: bff.idp, file: { apis: [{ path: '/api/live', upstream: `${upstreamBase}/feed`, websocket: true }] } });
    const b = own.browser();
    expect((await own.signIn(b)).status).toBe(302);
    const ws = new WebSocket(`${own.url.replace('http:', 'ws:')}/api/live`, { headers: { cookie: b.cookieHeader(), origin: PUBLIC_ORIGIN } });
    await once(ws, 'open');
    const closed = closeCode(ws);
    await own.close();
    expect(await closed).toEqual({ code: 1001, reason: 'server shutting down' });
  });
});

describe('upgrades that are not WebSockets', () => {
  it('an h2c upgrade with a body is refused (400): its body could not be read', async () => {
    const socket = net.connect(Number(new URL(bff.url).port), '127.0.0.1');
    socket.write('POST /api/plain/x HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Length: 5\r\n\r\nhello');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    await once(socket, 'end');
    const text = Buffer.concat(chunks).toString();
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toContain('"code":"bad_request"');
    socket.destroy();
  });
});

describe('the library: bff.upgrade and bff.sessionEnded', () => {
  it('relays a WebSocket through the host server, sends other upgrades to next, and closes with 1008 on sessionEnded(sid)', async () => {
    const provider = fetchFromHandlers(bff.idp.handlers);
    const lib = await createBff({
      env: {
        BFF_PUBLIC_URL: PUBLIC_ORIGIN,
        OIDC_ISSUER: bff.idp.issuer,
        OIDC_CLIENT_ID: DEFAULT_CLIENT.client_id,
        OIDC_CLIENT_SECRET: DEFAULT_CLIENT.client_secret,
        SESSION_SECRET: TEST_SECRET,
        LOG_LEVEL: 'silent',
        BFF_STATIC_DIR: 'none',
      },
      config: { apis: [{ path: '/api/live', upstream: `${upstreamBase}/feed`, websocket: true }] },
      fetch: provider.fetch,
    });
    const host = http.createServer((req, res) => lib.handler(req, res));
    const elsewhere: string[] = [];
    host.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) =>
      lib.upgrade(req, socket, head, () => {
        elsewhere.push(req.url!);
        socket.destroy();
      }),
    );
    host.listen(0, '127.0.0.1');
    await once(host, 'listening');
    const base = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    let ws: WebSocket | undefined;
    try {
      const b = new Browser(base);
      const login = await b.get('/auth/login');
      const authorize = await provider.request(login.headers.get('location')!, { redirect: 'manual' });
      const callback = new URL(authorize.headers.get('location')!);
      expect((await b.get(callback.pathname + callback.search)).status).toBe(302);
      const { logoutUrl } = (await (await b.get('/auth/session')).json()) as { logoutUrl: string };
      const sid = new URL(logoutUrl, PUBLIC_ORIGIN).searchParams.get('sid')!;

      ws = new WebSocket(`${base.replace('http:', 'ws:')}/api/live`, { headers: { cookie: b.cookieHeader(), origin: PUBLIC_ORIGIN } });
      await once(ws, 'open');
      ws.send('ping');
      expect((await nextMessage(ws)).data.toString()).toBe('ping');

      const other = new WebSocket(`${base.replace('http:', 'ws:')}/chat`, { headers: { origin: PUBLIC_ORIGIN } });
      other.on('error', () => undefined); // socket hang up: the host's next() dropped it
      await new Promise((resolve) => other.on('close', resolve));
            expect(elsewhere).toEqual(['/chat']);

      const closed = closeCode(ws);
      lib.sessionEnded(sid);
      expect(await closed).toEqual({ code: 1008, reason: 'session ended' });
    } finally {
      ws?.terminate(); // an upgraded socket would hold host.close() open
      host.closeAllConnections();
      await new Promise((r) => host.close(r));
      await lib.close();
    }
  });
});
