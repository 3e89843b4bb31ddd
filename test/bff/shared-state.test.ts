import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { createMockIdp, type MockIdp } from '../support/idp/index.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { waitForAsync } from '../support/wait.ts';
import type { Browser } from '../support/browser.ts';

/**
 * Two BFF instances (createApp, in this process) sharing one real Redis and one provider: what one
 * learns, the other knows. tests/integration/instances.test.ts does the same with processes.
 */
let redis: TestRedis;
let upstream: Upstream;
let idp: MockIdp;
let a: TestBff;
let b: TestBff;
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

async function instance(): Promise<TestBff> {
  return startTestBff({
    idp,
    clock,
    env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'shared-test:', API_UPSTREAM_URL: upstream.url },
    file: { apis: [{ path: '/api/cc', upstream: upstream.url, token: 'client' }] },
  });
}

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startUpstream();
  idp = await createMockIdp();
  a = await instance();
  b = await instance();
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await upstream?.close();
  await redis?.close();
});
beforeEach(() => {
  offsetMs = 0;
  idp.reset();
  upstream.clear();
});

/** The same cookies, presented to another instance. */
function on(bff: TestBff, cookie: string, path: string): Promise<Response> {
  return fetch(new URL(path, bff.url), { headers: { cookie, 'x-csrf': '1' }, redirect: 'manual' });
}

async function authenticatedOn(bff: TestBff, cookie: string): Promise<boolean> {
  return ((await (await on(bff, cookie, '/auth/session')).json()) as { authenticated: boolean }).authenticated;
}

async function signedInOn(bff: TestBff): Promise<{ br: Browser; cookie: string }> {
  const br = bff.browser();
  await bff.signIn(br);
  return { br, cookie: br.cookieHeader() };
}

describe('several instances on one Redis', () => {
  it('a session signed in on one instance is served by the other (same SESSION_SECRET)', async () => {
    const { cookie } = await signedInOn(a);
    expect((await on(b, cookie, '/api/me')).status).toBe(200);
  });

  it('logout on A: a replayed copy of the old cookie is anonymous on B within a second', async () => {
    const { br, cookie } = await signedInOn(a);
    expect(await authenticatedOn(b, cookie)).toBe(true);
    const { logoutUrl } = (await (await br.get('/auth/session')).json()) as { logoutUrl: string };
    expect((await br.get(logoutUrl)).status).toBe(302);
    await waitForAsync(async () => !(await authenticatedOn(b, cookie)), 1000);
    expect((await on(b, cookie, '/api/me')).status).toBe(401);
  });

  it('a back-channel logout received by B ends the session on A', async () => {
    const { cookie } = await signedInOn(a);
    const psid = idp.issuedSids().at(-1)!;
    const token = await idp.logoutToken({ sid: psid });
    const res = await fetch(new URL('/auth/backchannel-logout', b.url), { method: 'POST', body: new URLSearchParams({ logout_token: token }) });
    expect(res.status).toBe(200);
    await waitForAsync(async () => !(await authenticatedOn(a, cookie)), 1000);
    // The jti check is shared: the same token replayed to A is refused.
    const replay = await fetch(new URL('/auth/backchannel-logout', a.url), { method: 'POST', body: new URLSearchParams({ logout_token: token }) });
    expect(replay.status).toBe(400);
  });

  it('an instance started after a logout loads it: the old cookie is anonymous there too', async () => {
    const { br, cookie } = await signedInOn(a);
    const { logoutUrl } = (await (await br.get('/auth/session')).json()) as { logoutUrl: string };
    await br.get(logoutUrl);
    const c = await instance();
    try {
      await waitForAsync(async () => !(await authenticatedOn(c, cookie)), 2000);
    } finally {
      await c.close();
    }
  });

  it('a stale burst spread over both instances makes one refresh; the pre-rotation cookie gets the successor on either', async () => {
    const { cookie } = await signedInOn(a);
    offsetMs = 400_000; // past the 300 s access token
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => on(i % 2 ? a : b, cookie, '/api/me')));
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(idp.calls.tokenRefresh).toBe(1);
    const tokens = new Set(upstream.seen.map((s) => s.headers.authorization));
    expect(tokens.size).toBe(1);
    // A straggler still carrying the old cookie, on each instance: the successor, no second refresh.
    for (const bff of [a, b]) expect((await on(bff, cookie, '/api/me')).status).toBe(200);
    expect(idp.calls.tokenRefresh).toBe(1);
    expect(new Set(upstream.seen.map((s) => s.headers.authorization)).size).toBe(1);
  });

  it('a login transaction used on A is refused on B before anything reaches the provider (no code replay there)', async () => {
    const br = a.browser();
    const callback = await a.startLogin(br);
    const txCookie = br.cookieHeader();
    expect((await br.get(callback.pathname + callback.search)).status).toBe(302);
    expect(idp.calls.tokenCode).toBe(1);
    const replay = await fetch(new URL(callback.pathname + callback.search, b.url), { headers: { cookie: txCookie }, redirect: 'manual' });
    expect(replay.headers.get('location')).toMatch(/^\/login-error\?error=login_failed/);
    expect(idp.calls.tokenCode).toBe(1);
  });

  it('client-credentials tokens are shared: one grant serves both instances', async () => {
    expect((await fetch(new URL('/api/cc/x', a.url), { headers: { 'x-csrf': '1' } })).status).toBe(200);
    expect((await fetch(new URL('/api/cc/y', b.url), { headers: { 'x-csrf': '1' } })).status).toBe(200);
    expect(idp.calls.tokenClientCredentials).toHaveLength(1);
    expect(upstream.seen.map((s) => s.headers.authorization)).toEqual([upstream.seen[0]!.headers.authorization, upstream.seen[0]!.headers.authorization]);
  });
});

describe('Redis unreachable', () => {
  it('fresh tokens keep working, a refresh answers 503 store_unavailable, sign-in and /healthz work; all recovers when Redis is back', async () => {
    const { cookie } = await signedInOn(a);
    await redis.stop();
    try {
      expect((await on(a, cookie, '/api/me')).status).toBe(200);
      expect((await on(b, cookie, '/healthz')).status).toBe(200);
      const fresh = await signedInOn(b);
      expect(await authenticatedOn(b, fresh.cookie)).toBe(true);
      offsetMs = 400_000;
      const stale = await on(a, cookie, '/api/me');
      expect(stale.status).toBe(503);
      expect(stale.headers.get('retry-after')).toBe('1');
      expect(((await stale.json()) as { code: string }).code).toBe('store_unavailable');
      expect(idp.calls.tokenRefresh).toBe(0);
    } finally {
      await redis.start();
    }
    await waitForAsync(async () => (await on(a, cookie, '/api/me')).status === 200, 10_000);
    expect(idp.calls.tokenRefresh).toBe(1);
  });
});
