import { describe, expect, it } from 'vitest';
import type { TestBff } from '../support/bff.ts';
import { useBffAndUpstream, type Upstream } from '../support/fixture.ts';
import { signedIn } from '../security/helpers.ts';

// A provider that does not rotate refresh tokens (RFC 6749 §6; lemonldap-ng, hosted providers with
// rotation off) and hands out access tokens shorter than the refresh skew + the 60 s grace: every
// refresh window finds the previous refresh's successor already stale under the same key.

const TTL_S = 90; // fresh for 30 s with the default 60 s skew
const STEP_MS = 40_000; // each step lands in a new refresh window, inside the previous one's grace
let upstream: Upstream;
let bff: TestBff;
let now = Date.now();

useBffAndUpstream(
  { clock: () => now, idpOptions: { rotateRefreshTokens: false, accessTokenTtl: TTL_S } },
  (s) => ({ bff, upstream } = s),
);

const refreshTokens = () => bff.issuedTokens.filter((t) => t.startsWith('rt_'));
const authOf = async (res: Response) => ((await res.json()) as { authorization: string }).authorization;

describe('a non-rotating provider with short access tokens', () => {
  it('non-rotating provider: every call is 200 through several refresh windows, one refresh per window, and the refresh token is kept', async () => {
    bff.idp.settings.rotateRefreshTokens = false;
    bff.idp.settings.accessTokenTtl = TTL_S;
    const b = await signedIn(bff);
    const [rt] = refreshTokens().slice(-1);
    let previousCookie = b.cookieHeader();
    const authorizations = new Set<string>();
    for (let window = 1; window <= 5; window++) {
      now += STEP_MS;
      const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => b.api(`/api/w${window}/${i}`)));
      // Stragglers still carrying the cookie of the window before.
      const late = await Promise.all(Array.from({ length: 3 }, () => b.api(`/api/w${window}/late`, { headers: { cookie: previousCookie } })));
      expect([...burst, ...late].map((r) => r.status)).toEqual(Array(11).fill(200));
      // Refresh ahead: calls made while the refresh runs use the current token, later ones the new one.
      const seen = new Set(await Promise.all([...burst, ...late].map(authOf)));
      expect(seen.size).toBeLessThanOrEqual(2);
      for (const a of seen) authorizations.add(a);
      expect(bff.idp.calls.tokenRefresh).toBe(window);
      previousCookie = b.cookieHeader();
    }
    expect(authorizations.size).toBeGreaterThanOrEqual(5); // a new access token each window
    // The provider never sent another refresh token; the one from sign-in is still the one in use.
    expect(refreshTokens().at(-1)).toBe(rt);
    expect(bff.idp.isRefreshTokenActive(rt!)).toBe(true);
    expect(upstream.seen.length).toBe(5 * 11);
  });
});
