import { describe, expect, it } from 'vitest';
import type { TestBff } from '../support/bff.ts';
import { useBffAndUpstream, type Upstream } from '../support/fixture.ts';
import { signedIn } from '../security/helpers.ts';
import { waitFor, waitForAsync } from '../support/wait.ts';
import { AHEAD_MIN_VALIDITY_S, GRACE_MS } from '../../bff/session/fresh.ts';

// Refresh ahead (issue 16): inside the refresh window a request whose token is still valid a while
// goes on at once with it, the refresh runs in the background (one per burst), and the new cookie
// leaves with a later response. The trap: a browser that makes no request for a long time after
// a background refresh still holds the cookie with the rotated refresh token; replaying that makes
// a provider with reuse detection (the kit's) revoke the whole grant.

const TTL_S = 300; // default skew 60 s: the window opens 240 s after sign-in
let upstream: Upstream;
let bff: TestBff;
let now = Date.now();

useBffAndUpstream({ clock: () => now, idpOptions: { accessTokenTtl: TTL_S } }, (s) => ({ bff, upstream } = s));

const refreshTokens = () => bff.issuedTokens.filter((t) => t.startsWith('rt_'));
const authOf = async (res: Response) => ((await res.json()) as { authorization: string }).authorization;

describe('refresh ahead', () => {
  it('a burst inside the window is relayed at once with the current token; exactly one refresh runs behind it', async () => {
    const b = await signedIn(bff);
    const signInCookie = b.cookieHeader();
    const signInToken = (await authOf(await b.api('/api/first'))).slice('Bearer '.length);
    now += (TTL_S - 30) * 1000; // 30 s left: inside the window, not about to expire
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => b.api(`/api/burst/${i}`)));
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(200));
    const used = new Set(await Promise.all(burst.map(authOf)));
    expect(used.has(`Bearer ${signInToken}`)).toBe(true);
    // A later call gets the successor once the refresh is done (until then it joins the refresh
    // still running), and the browser the new cookie with a response.
    await waitForAsync(async () => (await authOf(await b.api('/api/next'))) !== `Bearer ${signInToken}`);
    expect(b.cookieHeader()).not.toBe(signInCookie);
    expect(bff.idp.calls.tokenRefresh).toBe(1);
  });

  it(`a token with less than ${AHEAD_MIN_VALIDITY_S} s left is refreshed before the request goes on`, async () => {
    const b = await signedIn(bff);
    const before = await authOf(await b.api('/api/first'));
    now += (TTL_S - AHEAD_MIN_VALIDITY_S + 1) * 1000;
    const res = await b.api('/api/late');
    expect(await authOf(res)).not.toBe(before);
    expect(bff.idp.calls.tokenRefresh).toBe(1);
  });

  it('a session idle for longer than the grace period after a background refresh still works, and the grant is not revoked', async () => {
    const b = await signedIn(bff);
    const oldCookie = b.cookieHeader();
    const [firstRt] = refreshTokens().slice(-1);
    now += (TTL_S - 30) * 1000;
    // One call starts the background refresh; the browser then goes quiet, keeping the old cookie.
    const one = await b.api('/api/one', { headers: { cookie: oldCookie } });
    expect(one.status).toBe(200);
    const oldAuth = await authOf(one);
    // Done means the BFF holds the successor, not merely that the provider was called: until then a
    // request joins the refresh still running. Asking with the old cookie changes nothing it keeps.
    await waitForAsync(async () => (await authOf(await b.api('/api/done', { headers: { cookie: oldCookie } }))) !== oldAuth);
    expect(bff.idp.calls.tokenRefresh).toBe(1);
    expect(bff.idp.isRefreshTokenActive(firstRt!)).toBe(false); // rotated: replaying it would be reuse

    now += GRACE_MS + 10 * 60_000; // long past the grace period and past both access tokens' expiry
    const back = await b.api('/api/back', { headers: { cookie: oldCookie } });
    expect(back.status).toBe(200);
    expect(bff.idp.calls.tokenRefresh).toBe(2); // from the successor's refresh token, not the rotated one
    const [newestRt] = refreshTokens().slice(-1);
    expect(bff.idp.isRefreshTokenActive(newestRt!)).toBe(true);
    expect(bff.logs.join('\n')).not.toMatch(/reuse detected/);
  });

  it('a background refresh the provider rejects is not retried by every request; the session ends when the token runs out', async () => {
    const b = await signedIn(bff);
    now += (TTL_S - 30) * 1000;
    bff.idp.faults = { refresh: 'invalid_grant' };
    expect((await b.api('/api/a')).status).toBe(200);
    await waitFor(() => bff.idp.calls.tokenRefresh === 1);
    await Promise.all(Array.from({ length: 5 }, () => b.api('/api/b')));
    expect(bff.idp.calls.tokenRefresh).toBe(1);
    now += 25_000; // 5 s left: this one must wait, and the provider says no
    const ended = await b.api('/api/c');
    expect(ended.status).toBe(401);
    expect(await ended.json()).toMatchObject({ code: 'session_expired' });
    expect(upstream.seen.every((s) => s.url !== '/c')).toBe(true);
  });
});
