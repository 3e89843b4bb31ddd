import { describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { useBffAndUpstream, type Upstream } from '../support/fixture.ts';
import { type MockIdp } from '../support/idp/index.ts';
import type { Browser } from '../support/browser.ts';
import { connect } from 'node:net';

let upstream: Upstream;
let idp: MockIdp;
let bff: TestBff;
let now = Date.now();

useBffAndUpstream({ clock: () => now, basePath: '/v1' }, (s) => ({ bff, upstream, idp } = { ...s, idp: s.bff.idp }));

async function signedIn(): Promise<Browser> {
  const b = bff.browser();
  expect((await bff.signIn(b)).status).toBe(302);
  return b;
}

const problemCode = async (res: Response) => ((await res.json()) as { code: string }).code;
const sessionCookies = (b: Browser) => b.lastSetCookies.filter((l) => l.startsWith('bff-session'));

describe('the /api relay', () => {
  it('relays with the session access token, base path and query kept, and no Set-Cookie from the upstream', async () => {
    const b = await signedIn();
    const res = await b.api('/api/things/1?x=1&y=%20');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { url: string; authorization: string };
    expect(body.url).toBe('/v1/things/1?x=1&y=%20');
    expect(body.authorization).toMatch(/^Bearer .+/);
    expect(bff.issuedTokens).toContain(body.authorization.slice('Bearer '.length));
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(upstream.seen[0]!.headers.cookie).toBeUndefined();
    expect(upstream.seen[0]!.headers['x-csrf']).toBeUndefined();
  });

  it('refuses a request without X-CSRF: 1 (403 csrf) and never reaches the upstream', async () => {
    const b = await signedIn();
    for (const headers of [{ 'x-csrf': '' }, { 'x-csrf': '0' }, { 'x-csrf': 'true' }]) {
      const res = await b.request('/api/x', { headers });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await problemCode(res)).toBe('csrf');
    }
    expect((await b.request('/api/x')).status).toBe(403);
    expect(upstream.seen).toHaveLength(0);
  });

  it('refuses a foreign Origin and Sec-Fetch-Site: cross-site even with X-CSRF', async () => {
    const b = await signedIn();
    const hostile: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: 'null' }, { origin: 'http://localhost:3000.evil.example' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of hostile) {
      const res = await b.api('/api/x', { method: 'POST', body: '{}', headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await problemCode(res)).toBe('csrf');
    }
    expect(upstream.seen).toHaveLength(0);
    const ok = await b.api('/api/x', { headers: { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' } });
    expect(ok.status).toBe(200);
  });

  it('answers 401 unauthenticated without a session', async () => {
    const res = await bff.browser().api('/api/x');
    expect(res.status).toBe(401);
    expect(await problemCode(res)).toBe('unauthenticated');
    expect(upstream.seen).toHaveLength(0);
  });

  it('grants no CORS to another origin, preflight included', async () => {
    const b = await signedIn();
    const pre = await b.request('/api/x', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-csrf' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-headers')).toBeNull();
    expect(upstream.seen).toHaveLength(0);
  });

  it('sends no Set-Cookie while the session is unchanged', async () => {
    const b = await signedIn();
    await b.api('/api/a');
    expect(sessionCookies(b)).toEqual([]);
  });
});

describe('methods', () => {
  it('answers CONNECT with 405 method_not_allowed instead of tunnelling', async () => {
    const { port } = new URL(bff.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write('CONNECT upstream.internal:443 HTTP/1.1\r\nHost: upstream.internal:443\r\n\r\n');
    let reply = '';
    for await (const chunk of socket) reply += String(chunk);
    expect(reply).toMatch(/^HTTP\/1\.1 405 /);
    expect(reply).toMatch(/"code":"method_not_allowed"/);
    expect(upstream.seen).toHaveLength(0);
  });

  it('answers TRACE with 405 and relays nothing (it would echo the bearer token back)', async () => {
    const b = await signedIn();
    const { port } = new URL(bff.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write(`TRACE /api/x HTTP/1.1\r\nHost: localhost\r\nX-CSRF: 1\r\nCookie: ${b.cookieHeader()}\r\nConnection: close\r\n\r\n`);
    let reply = '';
    for await (const chunk of socket) reply += String(chunk);
    expect(reply).toMatch(/^HTTP\/1\.1 405 /);
    expect(reply).toMatch(/"code":"method_not_allowed"/);
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('refresh', () => {
  it('refreshes an expired access token once for a burst of 40 requests, and all 40 succeed', async () => {
    const b = await signedIn();
    const before = (await (await b.api('/api/who')).json()) as { authorization: string };
    now += 10 * 60 * 1000;
    const results = await Promise.all(Array.from({ length: 40 }, () => b.api('/api/burst')));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(idp.calls.tokenRefresh).toBe(1);
    // One refreshed session, sealed once: every response carries the same new cookie.
    const cookies = new Set(results.map((r) => r.headers.getSetCookie().find((l) => l.startsWith('bff-session='))));
    expect(cookies.size).toBe(1);
    expect([...cookies][0]).toMatch(/^bff-session=Fe26/);
    const auths = new Set(await Promise.all(results.map(async (r) => ((await r.json()) as { authorization: string }).authorization)));
    expect(auths.size).toBe(1);
    expect([...auths][0]).not.toBe(before.authorization);
  });

  it('a straggler with the pre-rotation cookie gets the new token without a second refresh, and the session keeps working', async () => {
    const b = await signedIn();
    const oldCookie = b.cookieHeader();
    now += 10 * 60 * 1000;
    const first = await b.api('/api/one');
    expect(first.status).toBe(200);
    expect(sessionCookies(b).length).toBeGreaterThan(0);
    const newAuth = ((await first.json()) as { authorization: string }).authorization;
    // The straggler: left the browser before the new cookie arrived.
    const straggler = await b.api('/api/two', { headers: { cookie: oldCookie } });
    expect(straggler.status).toBe(200);
    expect(((await straggler.json()) as { authorization: string }).authorization).toBe(newAuth);
    expect(idp.calls.tokenRefresh).toBe(1);
    // No reuse of the rotated refresh token reached the provider, so the grant is intact.
    const after = await b.api('/api/three');
    expect(after.status).toBe(200);
    now += 10 * 60 * 1000;
    expect((await b.api('/api/four')).status).toBe(200);
    expect(idp.calls.tokenRefresh).toBe(2);
  });

  it('a rejected refresh (invalid_grant) clears the session: 401 session_expired', async () => {
    const b = await signedIn();
    now += 10 * 60 * 1000;
    idp.faults.refresh = 'invalid_grant';
    const res = await b.api('/api/x');
    expect(res.status).toBe(401);
    expect(await problemCode(res)).toBe('session_expired');
    expect([...b.jar.keys()].some((k) => k.startsWith('bff-session'))).toBe(false);
    expect(upstream.seen).toHaveLength(0);
  });

  for (const fault of ['network', 'server_error'] as const) {
    it(`an unreachable provider (${fault}) answers 503 provider_unavailable and keeps the session`, async () => {
      const b = await signedIn();
      now += 10 * 60 * 1000;
      idp.faults.refresh = fault;
      const res = await b.api('/api/x');
      expect(res.status).toBe(503);
      expect(await problemCode(res)).toBe('provider_unavailable');
      expect(res.headers.get('set-cookie')).toBeNull();
      idp.faults.refresh = undefined;
      expect((await b.api('/api/x')).status).toBe(200);
    });
  }
});

describe('a session without a refresh token', () => {
  it('relays until the access token expires, then answers 401 session_expired', async () => {
    const noOffline = await startTestBff({ idp, clock: () => now, env: { API_UPSTREAM_URL: upstream.url, OIDC_SCOPES: 'openid profile' } });
    try {
      const b = noOffline.browser();
      await noOffline.signIn(b);
      expect((await b.api('/api/x')).status).toBe(200);
      now += 10 * 60 * 1000;
      const res = await b.api('/api/x');
      expect(res.status).toBe(401);
      expect(await problemCode(res)).toBe('session_expired');
      expect(idp.calls.tokenRefresh).toBe(0);
    } finally {
      await noOffline.close();
    }
  });
});
