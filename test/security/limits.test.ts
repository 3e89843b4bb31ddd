import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type http from 'node:http';
import net from 'node:net';
import type { Browser } from '../support/browser.ts';
import { MAX_URL_LENGTH } from '../../bff/http/query.ts';
import { SERVER_LIMITS } from '../../bff/server.ts';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { startUpstream } from '../support/upstream.ts';
import { apiHeaderLines, expectProblem, rawExchange, rawRequest, sessionInfo, signedIn, waitFor } from './helpers.ts';

// Resource limits an attacker (or a runaway SPA) runs into: URL length, header size, requests in
// flight per session, and malformed query strings and parameter pollution on /auth.

const MAX_IN_FLIGHT = 4;

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let bff: TestBff;
/** Requests to /slow are held here until released. */
const held: http.ServerResponse[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
  upstream.respond = (s, res) => {
    if (s.url.startsWith('/slow')) {
      held.push(res);
      return;
    }
    if (s.url.startsWith('/reset')) {
      res.socket!.destroy();
      return;
    }
    if (s.url.startsWith('/upgrade')) {
      res.socket!.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: s.url }));
  };
  bff = await startTestBff({ env: { API_UPSTREAM_URL: upstream.url, API_MAX_IN_FLIGHT_PER_SESSION: String(MAX_IN_FLIGHT) } });
});
afterAll(async () => {
  for (const res of held) res.end();
  await bff.close();
  await upstream.close();
});
beforeEach(() => {
  upstream.clear();
});

function release(): void {
  for (const res of held.splice(0)) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"slow":true}');
  }
}

describe('URL length', () => {
  it(`refuses a request target over ${MAX_URL_LENGTH} characters with 414 uri_too_long, on every route`, async () => {
    const b = await signedIn(bff);
    for (const base of ['/api/x?q=', '/auth/session?q=', '/auth/login?returnTo=/', '/auth/callback?code=', '/?q=', '/assets/x.js?q=']) {
      const target = base + 'a'.repeat(MAX_URL_LENGTH + 1 - base.length);
      expect(target.length).toBe(MAX_URL_LENGTH + 1);
      const res = await b.api(target);
      await expectProblem(res, 414, 'uri_too_long');
    }
    expect(upstream.seen).toHaveLength(0);
    // Exactly at the limit is served.
    const atLimit = '/api/x?q=' + 'a'.repeat(MAX_URL_LENGTH - '/api/x?q='.length);
    expect((await b.api(atLimit)).status).toBe(200);
  });
});

describe('header size', () => {
  it(`answers 431 to headers over ${SERVER_LIMITS.maxHeaderSize / 1024} KB (node's own limit) and keeps serving`, async () => {
    const b = await signedIn(bff);
    const big = 'a'.repeat(SERVER_LIMITS.maxHeaderSize + 1024);
    for (const headers of [{ 'x-big': big }, { cookie: `${b.cookieHeader()}; pad=${big}` }]) {
      const { responses } = await rawExchange(bff.url, rawRequest('GET', '/api/x', ['Host: localhost:3000', 'X-CSRF: 1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)]));
      expect(responses[0]!.status).toBe(431);
    }
    // Many small headers adding up past the limit, too.
    const many = Array.from({ length: 2_000 }, (_, i) => `X-H${i}: ${'v'.repeat(20)}`);
    expect((await rawExchange(bff.url, rawRequest('GET', '/auth/session', ['Host: localhost:3000', ...many]))).responses[0]!.status).toBe(431);
    expect(upstream.seen).toHaveLength(0);
    expect((await b.api('/api/after')).status).toBe(200);
    expect((await sessionInfo(b)).authenticated).toBe(true);
  });
});

describe('requests in flight per session', () => {
  it(`answers 429 too_many_requests past API_MAX_IN_FLIGHT_PER_SESSION (${MAX_IN_FLIGHT}) while other sessions are served`, async () => {
    const greedy = await signedIn(bff);
    const other = await signedIn(bff);
    const slow = Array.from({ length: MAX_IN_FLIGHT }, (_, i) => greedy.api(`/api/slow/${i}`));
    await waitFor(() => held.length === MAX_IN_FLIGHT);
    const extra = await Promise.all([greedy.api('/api/slow/extra1'), greedy.api('/api/fast')]);
    for (const res of extra) await expectProblem(res, 429, 'too_many_requests');
    expect(held).toHaveLength(MAX_IN_FLIGHT);
    // Another session is not affected by the first one's queue.
    const fine = await other.api('/api/fast');
    expect(fine.status).toBe(200);
    release();
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual(Array(MAX_IN_FLIGHT).fill(200));
    // The slots are given back.
    expect((await greedy.api('/api/fast')).status).toBe(200);
  });

  it('gives the slot back when the browser aborts a request that is still waiting for the upstream', async () => {
    const b = await signedIn(bff);
    const controllers = Array.from({ length: MAX_IN_FLIGHT }, () => new AbortController());
    const pending = controllers.map((c, i) => b.api(`/api/slow/abort-${i}`, { signal: c.signal }).catch(() => undefined));
    await waitFor(() => held.length === MAX_IN_FLIGHT);
    for (const c of controllers) c.abort();
    await Promise.all(pending);
    held.splice(0);
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await b.api('/api/fast')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 10));
    }
    expect(status).toBe(200);
  });
});

describe('in-flight slots are given back on every outcome', () => {
  it('70 failed relays (upstream reset, upstream 101, refused transfer coding) do not lock the session or the user into 429, with the default limits', async () => {
    const defaults = await startTestBff({ env: { API_UPSTREAM_URL: upstream.url } });
    try {
      expect(defaults.config.api.maxInFlightPerSession).toBe(64);
      expect(defaults.config.api.maxInFlightPerUser).toBe(64);
      const b = await signedIn(defaults);
      const statuses = new Map<number, number>();
      for (let i = 0; i < 70; i++) {
        let status: number;
        if (i % 3 === 2) {
          // Refused by the relay itself, after the slot was taken.
          const { responses } = await rawExchange(defaults.url, rawRequest('POST', '/api/x', [...apiHeaderLines(b), 'Transfer-Encoding: gzip, chunked'], '0\r\n\r\n'));
          status = responses[0]!.status;
        } else {
          status = (await b.api(`/api/${i % 3 === 0 ? 'reset' : 'upgrade'}/${i}`)).status;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      expect(Object.fromEntries(statuses)).toEqual({ 502: 47, 501: 23 });
      // A second session of the same user, and the first one, are still served.
      expect((await (await signedIn(defaults)).api('/api/fast')).status).toBe(200);
      expect((await b.api('/api/fast')).status).toBe(200);
    } finally {
      await defaults.close();
    }
  });
});

describe('the upstream pool', () => {
  it('opens at most API_UPSTREAM_MAX_SOCKETS connections: with both held, a third user\'s call waits for one (and times out here)', async () => {
    const pooled = await startTestBff({
      env: { API_UPSTREAM_URL: upstream.url, API_UPSTREAM_MAX_SOCKETS: '2', API_MAX_IN_FLIGHT_PER_USER: '1', API_UPSTREAM_TIMEOUT_MS: '500' },
    });
    const uploads: net.Socket[] = [];
    try {
      const users: Browser[] = [];
      for (const sub of ['u1', 'u2', 'u3']) {
        pooled.idp.settings.user = { sub, name: sub };
        users.push(await signedIn(pooled));
      }
      // Two users' uploads that stall after one byte: each holds an upstream connection (no
      // response-headers clock runs during an upload, and the idle timeout is the default 30 s).
      for (const b of users.slice(0, 2)) {
        const socket = net.connect(Number(new URL(pooled.url).port), '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write(['POST /api/upload HTTP/1.1', ...apiHeaderLines(b), 'Content-Length: 1000', '', 'x'].join('\r\n'));
        uploads.push(socket);
      }
      await waitFor(() => upstream.arrived === 2);
      // The third call finds no free connection: it waits in the pool until its clock runs out.
      await expectProblem(await users[2]!.api('/api/fast/u3'), 504, 'upstream_timeout');
      expect(upstream.arrived).toBe(2);
      // Once a connection is given back, it is served.
      for (const socket of uploads) socket.destroy();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) status = (await users[2]!.api('/api/fast/u3')).status;
      expect(status).toBe(200);
    } finally {
      for (const socket of uploads) socket.destroy();
      await pooled.close();
    }
  });
});

describe('malformed query strings on /auth', () => {
  it('refuses broken percent-encoding with 400 bad_request on /auth/session, /auth/login and /auth/logout', async () => {
    const b = await signedIn(bff);
    for (const path of ['/auth/session', '/auth/login', '/auth/logout']) {
      for (const query of ['?x=%zz', '?returnTo=%E0%A4%A', '?sid=%', '?%=1', '?a=%uD83D']) {
        const res = await b.get(path + query);
        await expectProblem(res, 400, 'bad_request');
      }
    }
    expect((await sessionInfo(b)).authenticated).toBe(true);
  });

  it('refuses a duplicated parameter (parameter pollution), spelled plainly or percent-encoded, with 400 bad_request', async () => {
    const b = await signedIn(bff);
    const { logoutUrl } = await sessionInfo(b);
    const sid = new URL(logoutUrl!, 'http://x').searchParams.get('sid')!;
    const cases = [
      '/auth/login?returnTo=/a&returnTo=//evil.example',
      '/auth/login?returnTo=/a&%72eturnTo=//evil.example',
      `/auth/logout?sid=${sid}&%73id=${sid}`,
      `/auth/logout?sid=${sid}&sid`,
      '/auth/session?x=1&x=2',
    ];
    for (const path of cases) {
      const res = await b.get(path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('bad_request');
    }
    expect((await sessionInfo(b)).authenticated).toBe(true);
  });
});
