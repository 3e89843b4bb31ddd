import { describe, expect, it } from 'vitest';
import type { TestBff } from '../support/bff.ts';
import { useBffAndUpstream, type Upstream } from '../support/fixture.ts';
import type { Browser } from '../support/browser.ts';
import { expectProblem, hasSessionCookie, sessionInfo, signedIn } from './helpers.ts';

// Session lifetime on /api, whatever the cookie says: the absolute and idle timeouts, logout,
// replacement by a new sign-in, a rejected refresh, and a stolen cookie replayed after rotation.
// The same timeouts seen from /auth/session are in test/bff/session-cookie.test.ts.

const ABSOLUTE_S = 7200;
const IDLE_S = 1800;
const MIN = 60_000;

let upstream: Upstream;
let bff: TestBff;
let now = Date.now();

useBffAndUpstream(
  { clock: () => now, env: { SESSION_ABSOLUTE_TIMEOUT_S: String(ABSOLUTE_S), SESSION_IDLE_TIMEOUT_S: String(IDLE_S) } },
  (s) => ({ bff, upstream } = s),
);

/** The request must be refused as an ended session, the cookie cleared, and nothing relayed. */
async function expectEnded(b: Browser, init: { headers?: Record<string, string> } = {}): Promise<void> {
  const before = upstream.seen.length;
  const res = await b.api('/api/after-end', init);
  await expectProblem(res, 401, 'session_expired');
  expect(b.lastSetCookies.some((l) => /^bff-session=;.*Max-Age=0/.test(l))).toBe(true);
  expect(upstream.seen.length).toBe(before);
}

describe('timeouts on /api', () => {
  it('enforces the absolute lifetime on a session kept busy and refreshed all along: 401 session_expired, cookie cleared', async () => {
    const b = await signedIn(bff);
    for (const step of [25, 25, 25, 25, 15]) {
      now += step * MIN; // never idle for long; the 5-minute access token is refreshed every time
      expect((await b.api('/api/busy')).status).toBe(200);
    }
    const refreshes = bff.idp.calls.tokenRefresh;
    expect(refreshes).toBe(5);
    now += 6 * MIN; // 121 minutes after sign-in
    await expectEnded(b);
    expect(bff.idp.calls.tokenRefresh).toBe(refreshes);
    expect(hasSessionCookie(b)).toBe(false);
  });

  it('enforces the idle timeout: a cookie unused for longer is refused, though its Max-Age has not run out', async () => {
    const b = await signedIn(bff);
    const cookie = b.cookieHeader();
    now += (IDLE_S - 60) * 1000;
    expect((await b.api('/api/still-here')).status).toBe(200);
    now += (IDLE_S + 1) * 1000;
    await expectEnded(b);
    // The cookie as the browser had it before (it never expires by itself before the absolute timeout).
    await expectEnded(bff.browser(), { headers: { cookie } });
  });
});

/** The session cookie's exact Max-Age attribute values in the last response. */
function sessionMaxAges(b: Browser): number[] {
  return b.lastSetCookies
    .filter((l) => /^bff-session(\.\d+)?=[^;]/.test(l))
    .map((l) => Number(/;\s*Max-Age=(\d+)\s*(;|$)/.exec(l)![1]));
}

describe('exact boundaries', () => {
  it('absolute timeout: one second before it the session is live, at it expired', async () => {
    now = Math.ceil(now / 1000) * 1000; // whole seconds, so createdAt is exactly now / 1000
    const signedInAt = now;
    const b = await signedIn(bff);
    const end = signedInAt + ABSOLUTE_S * 1000;
    while (now + 25 * MIN < end - 1000) {
      now += 25 * MIN; // kept busy: never near the idle timeout
      expect((await b.api('/api/busy')).status).toBe(200);
    }
    now = end - 1000;
    expect((await b.api('/api/last-second')).status).toBe(200);
    const cookie = b.cookieHeader();
    now = end;
    await expectEnded(bff.browser(), { headers: { cookie } });
    await expectEnded(b);
  });

  it('idle timeout: one second before it the session is live, at it expired', async () => {
    now = Math.ceil(now / 1000) * 1000;
    const b = await signedIn(bff);
    const cookie = b.cookieHeader(); // seenAt = sign-in time, never touched again
    const start = now;
    now = start + (IDLE_S - 1) * 1000;
    expect((await bff.browser().api('/api/idle-minus-one', { headers: { cookie } })).status).toBe(200);
    now = start + IDLE_S * 1000;
    await expectEnded(bff.browser(), { headers: { cookie } });
  });

  it('/auth/session expiresAt is when the session ends unless used: the earlier of the idle and absolute timeouts', async () => {
    now = Math.ceil(now / 1000) * 1000;
    const signedInAt = now / 1000;
    const b = await signedIn(bff);
    const expiresAt = async () => ((await (await b.get('/auth/session')).json()) as { expiresAt: number }).expiresAt;
    expect(await expiresAt()).toBe(signedInAt + IDLE_S);
    for (let i = 0; i < 3; i++) {
      now += 25 * MIN;
      expect(await expiresAt()).toBe(now / 1000 + IDLE_S); // each visit moves the idle end
    }
    now += 25 * MIN; // 100 minutes in: idle would end at 130, the absolute lifetime at 120
    expect(await expiresAt()).toBe(signedInAt + ABSOLUTE_S);
  });

  it('the idle clock is re-sealed once a tenth of the idle timeout has passed, not before', async () => {
    now = Math.ceil(now / 1000) * 1000;
    const start = now;
    const b = await signedIn(bff);
    const touchEveryS = IDLE_S / 10; // 180 s (capped at 300)
    now = start + (touchEveryS - 1) * 1000;
    expect((await sessionInfo(b)).authenticated).toBe(true);
    expect(sessionMaxAges(b)).toEqual([]); // no Set-Cookie yet
    now = start + touchEveryS * 1000;
    expect((await sessionInfo(b)).authenticated).toBe(true);
    expect(sessionMaxAges(b)).toEqual([ABSOLUTE_S - touchEveryS]);
  });

  it("a rewritten cookie's Max-Age is the remaining absolute lifetime, not the full one", async () => {
    now = Math.ceil(now / 1000) * 1000;
    const b = await signedIn(bff);
    expect(sessionMaxAges(b)).toEqual([ABSOLUTE_S]);
    now += 25 * MIN; // the access token is stale: the refresh rewrites the cookie
    expect((await b.api('/api/refresh')).status).toBe(200);
    expect(sessionMaxAges(b)).toEqual([ABSOLUTE_S - 25 * 60]);
    now += 20 * MIN + 7000; // the idle clock's touch rewrites it too
    expect((await sessionInfo(b)).authenticated).toBe(true);
    expect(sessionMaxAges(b)).toEqual([ABSOLUTE_S - 45 * 60 - 7]);
  });
});

describe('ended sessions stay ended', () => {
  it('a cookie copied before logout is refused on /api', async () => {
    const b = await signedIn(bff);
    const copy = b.cookieHeader();
    const { logoutUrl } = await sessionInfo(b);
    expect((await b.get(logoutUrl!)).status).toBe(302);
    await expectEnded(bff.browser(), { headers: { cookie: copy } });
  });

  it('the cookie of a session replaced by a new sign-in is refused on /api', async () => {
    const b = await signedIn(bff);
    const old = b.cookieHeader();
    expect((await bff.signIn(b)).status).toBe(302);
    await expectEnded(bff.browser(), { headers: { cookie: old } });
    expect((await b.api('/api/new')).status).toBe(200);
  });

  it('after a rejected refresh, a straggler with the same cookie is refused without asking the provider again', async () => {
    const b = await signedIn(bff);
    const copy = b.cookieHeader();
    now += 10 * MIN;
    bff.idp.faults.refresh = 'invalid_grant';
    await expectEnded(b);
    bff.idp.faults.refresh = undefined;
    await expectEnded(bff.browser(), { headers: { cookie: copy } });
    expect(bff.idp.calls.tokenRefresh).toBe(1);
  });

  it('a stolen cookie replayed after a refresh-token rotation trips reuse detection: the thief gets 401 and the whole session ends', async () => {
    const victim = await signedIn(bff);
    const stolen = victim.cookieHeader();
    const firstRt = bff.issuedTokens.filter((t) => t.startsWith('rt_')).at(-1)!;
    now += 10 * MIN;
    expect((await victim.api('/api/rotate')).status).toBe(200); // rotates the refresh token
    const rotatedRt = bff.issuedTokens.filter((t) => t.startsWith('rt_')).at(-1)!;
    expect(rotatedRt).not.toBe(firstRt);
    expect(bff.idp.isRefreshTokenActive(firstRt)).toBe(false);
    now += 61_000; // past the 60 s grace in which a pre-rotation cookie is still honoured
    upstream.seen.length = 0;
    await expectEnded(bff.browser(), { headers: { cookie: stolen } });
    // The provider saw the rotated token come back and revoked the grant; the BFF ended the session too.
    expect(bff.idp.isRefreshTokenActive(rotatedRt)).toBe(false);
    await expectEnded(victim);
  });
});
