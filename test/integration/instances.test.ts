import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, location } from '../support/browser.ts';
import { startBalancer } from '../support/balancer.ts';
import { startBffProcess, type BffProcess } from '../support/bff-process.ts';
import { startIdpServer } from '../support/idp-server.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { TEST_SECRET } from '../support/bff.ts';
import type { MockIdp } from '../support/idp/index.ts';
import { waitForAsync } from '../support/wait.ts';

/**
 * Issue 15's proof: three BFF processes sharing one real Redis behind a round-robin balancer (no
 * sticky sessions), one provider, one API. Each request of a browser may land on any instance.
 */
let redis: TestRedis;
let upstream: Upstream;
let idp: MockIdp;
let closeIdp: () => Promise<void>;
let balancer: Awaited<ReturnType<typeof startBalancer>>;
let instances: BffProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  upstream = await startUpstream();
  balancer = await startBalancer();
  ({ idp, close: closeIdp } = await startIdpServer(balancer.url));
  const env = {
    BFF_PUBLIC_URL: balancer.url,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: 'bff',
    OIDC_CLIENT_SECRET: 'bff-secret-0123456789abcdef0123456789',
    SESSION_SECRET: TEST_SECRET,
    API_UPSTREAM_URL: upstream.url,
    REDIS_URL: redis.url,
  };
  instances = await Promise.all([1, 2, 3].map(() => startBffProcess(env)));
  balancer.backends = instances.map((i) => i.url);
}, 120_000);

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop()));
  await balancer?.close();
  await closeIdp?.();
  await upstream?.close();
  await redis?.close();
});

/** A whole sign-in through the balancer: login, callback and everything after on whichever instance. */
async function signIn(): Promise<Browser> {
  const b = new Browser(balancer.url);
  const login = await b.get('/auth/login');
  const authorize = await fetch(location(login).href.replace('http://localhost:3000', balancer.url), { redirect: 'manual' });
  const callback = new URL(authorize.headers.get('location')!);
  const done = await b.get(callback.pathname + callback.search);
  expect(done.status).toBe(302);
  expect(location(done).pathname).toBe('/');
  return b;
}

/** The same cookie presented straight to one instance (bypassing the balancer). */
function on(instance: BffProcess, cookie: string, path: string): Promise<Response> {
  return fetch(new URL(path, instance.url), { headers: { cookie, 'x-csrf': '1' }, redirect: 'manual' });
}

async function authenticatedOn(instance: BffProcess, cookie: string): Promise<boolean> {
  return ((await (await on(instance, cookie, '/auth/session')).json()) as { authenticated: boolean }).authenticated;
}

const everywhere = async (cookie: string, expected: boolean) => (await Promise.all(instances.map((i) => authenticatedOn(i, cookie)))).every((a) => a === expected);

describe('three BFF processes on one Redis behind a round-robin balancer', () => {
  let alice: Browser;
  let preRotation: string;

  it('a burst of 40 stale requests spread over all three makes exactly one refresh', async () => {
    idp.settings = { ...idp.settings, accessTokenTtl: 1 }; // stale from the start (skew 60 s)
    alice = await signIn();
    idp.settings = { ...idp.settings, accessTokenTtl: 3600 }; // the refreshed token is fresh
    preRotation = alice.cookieHeader();
    upstream.clear();
    const burst = await Promise.all(Array.from({ length: 40 }, () => fetch(new URL('/api/me', balancer.url), { headers: { cookie: preRotation, 'x-csrf': '1' } })));
    expect(burst.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(idp.calls.tokenRefresh).toBe(1);
    expect(new Set(upstream.seen.map((s) => s.headers.authorization)).size).toBe(1);
  });

  it('stragglers with the pre-rotation cookie are served the successor by any instance, with no second refresh', async () => {
    for (const instance of instances) expect((await on(instance, preRotation, '/api/me')).status).toBe(200);
    expect(idp.calls.tokenRefresh).toBe(1);
    expect(new Set(upstream.seen.map((s) => s.headers.authorization)).size).toBe(1);
  });

  it('Redis stopped: fresh sessions work, a refresh answers 503 store_unavailable, sign-in and /healthz work; after the restart exactly one refresh', async () => {
    idp.settings = { ...idp.settings, accessTokenTtl: 1 };
    const bob = await signIn();
    const stale = bob.cookieHeader();
    idp.settings = { ...idp.settings, accessTokenTtl: 3600 };
    const refreshesBefore = idp.calls.tokenRefresh;
    await redis.stop();
    try {
      for (const instance of instances) {
        expect((await on(instance, preRotation, '/api/me')).status).toBe(200); // its successor's token is fresh
        expect((await on(instance, '', '/healthz')).status).toBe(200);
        const refused = await on(instance, stale, '/api/me');
        expect(refused.status).toBe(503);
        expect(((await refused.json()) as { code: string }).code).toBe('store_unavailable');
      }
      const carol = await signIn();
      expect((await carol.api('/api/me')).status).toBe(200);
      expect(idp.calls.tokenRefresh).toBe(refreshesBefore); // nothing refreshed without the lock
    } finally {
      await redis.start();
    }
    await waitForAsync(async () => (await on(instances[0]!, stale, '/api/me')).status === 200, 20_000);
    for (const instance of instances) expect((await on(instance, stale, '/api/me')).status).toBe(200);
    expect(idp.calls.tokenRefresh).toBe(refreshesBefore + 1);
  });

  it('a logout through the balancer ends the session on every instance within a second', async () => {
    const b = await signIn();
    const cookie = b.cookieHeader();
    expect(await everywhere(cookie, true)).toBe(true);
    const { logoutUrl } = (await (await b.get('/auth/session')).json()) as { logoutUrl: string };
    expect((await b.get(logoutUrl)).status).toBe(302);
    await waitForAsync(() => everywhere(cookie, false), 1000);
  });

  it('a back-channel logout received by one instance ends the session on every instance', async () => {
    const b = await signIn();
    const cookie = b.cookieHeader();
    const token = await idp.logoutToken({ sid: idp.issuedSids().at(-1)! });
    const res = await fetch(new URL('/auth/backchannel-logout', balancer.url), { method: 'POST', body: new URLSearchParams({ logout_token: token }) });
    expect(res.status).toBe(200);
    await waitForAsync(() => everywhere(cookie, false), 1000);
    for (const instance of instances) expect((await on(instance, cookie, '/api/me')).status).toBe(401);
  });
});
