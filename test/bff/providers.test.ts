import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { location } from '../support/browser.ts';
import { createMockIdp, DEFAULT_CLIENT, WRONG_ISSUER, type MockIdp } from '../support/idp/index.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';

/**
 * Two msw providers behind one BFF: `default` (OIDC_*) and `other` (the configuration file), whose
 * issuer is the one the kit's `wrong_iss` fault names, so a token "from the other provider" is a
 * token from a configured provider, which is what a mix-up attacker would use.
 */

let bff: TestBff;
let other: MockIdp;
let upstream: Upstream;
let nowMs = Date.now();

beforeAll(async () => {
  other = await createMockIdp({ issuer: WRONG_ISSUER, user: { sub: 'bob', name: 'Bob Other' } });
  upstream = await startUpstream();
  bff = await startTestBff({
    moreIdps: [other],
    clock: () => nowMs,
    env: { API_UPSTREAM_URL: upstream.url },
    file: { providers: { other: { issuer: other.issuer, clientId: DEFAULT_CLIENT.client_id, clientSecret: DEFAULT_CLIENT.client_secret, label: 'Other IdP' } } },
  });
});
afterAll(async () => {
  await bff.close();
  await upstream.close();
});
beforeEach(() => {
  nowMs = Date.now();
  bff.idp.reset();
  other.reset();
});

async function session(b: ReturnType<TestBff['browser']>) {
  return (await b.get('/auth/session')).json() as Promise<Record<string, unknown> & { user: Record<string, unknown>; logoutUrl: string }>;
}

describe('GET /auth/providers', () => {
  it('lists every configured provider by name and label, the default first, and nothing else', async () => {
    const res = await bff.browser().get('/auth/providers');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual([{ name: 'default', label: 'default' }, { name: 'other', label: 'Other IdP' }]);
  });
});

describe('GET /auth/login?provider=', () => {
  it('sends the sign-in to the named provider', async () => {
    const res = await bff.browser().get('/auth/login?provider=other');
    expect(res.status).toBe(302);
    expect(location(res).href.startsWith(`${other.issuer}/authorize?`)).toBe(true);
  });

  it('refuses an unknown provider with 400 unknown_provider', async () => {
    for (const name of ['nope', 'DEFAULT', '', '../default']) {
      const res = await bff.browser().get(`/auth/login?provider=${encodeURIComponent(name)}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { code: string }).code).toBe('unknown_provider');
    }
  });

  it('remembers the provider: /auth/session names it, refresh and logout reach only that provider', async () => {
    const b = bff.browser();
    expect((await bff.signInVia(b, '/auth/login?provider=other')).status).toBe(302);
    const s = await session(b);
    expect(s.provider).toBe('other');
    expect(s.user.sub).toBe('bob');

    nowMs += 10 * 60_000; // past the access token's 300 s: the next relayed call refreshes it
    expect((await b.api('/api/anything')).status).toBe(200);
    expect(other.calls.tokenRefresh).toBe(1);
    expect(bff.idp.calls.tokenRefresh).toBe(0);

    const logout = await b.get(s.logoutUrl);
    expect(logout.status).toBe(302);
    expect(location(logout).href.startsWith(`${other.issuer}/end-session`)).toBe(true);
    expect(other.calls.revocations).toHaveLength(1);
    expect(bff.idp.calls.revocations).toHaveLength(0);
    expect(bff.idp.calls.endSession).toHaveLength(0);
    expect(bff.idp.calls.tokenCode).toBe(0);
  });

  it('a session of the default provider says so', async () => {
    const b = bff.browser();
    expect((await bff.signIn(b)).status).toBe(302);
    expect((await session(b)).provider).toBe('default');
  });
});

describe('mix-up defence (RFC 9207, OIDC Core §3.1.3.7)', () => {
  it('refuses an authorization response from another configured provider than the login went to', async () => {
    const b = bff.browser();
    // The login goes to `default`; the attacker has the browser come back with a code and `iss` from `other`.
    const res = await bff.signInVia(b, '/auth/login', (url) => {
      const swapped = new URL(`${other.issuer}/authorize`);
      swapped.search = url.search;
      url.href = swapped.href;
    });
    expect(res.status).toBe(302);
    expect(location(res).pathname).toBe('/login-error');
    expect(other.calls.tokenCode).toBe(0);
    expect(bff.idp.calls.tokenCode).toBe(0);
    expect((await session(b)).authenticated).toBe(false);
  });

  it("refuses an ID token naming another configured provider's issuer", async () => {
    bff.idp.faults.idToken = 'wrong_iss'; // iss = the `other` provider's issuer
    const b = bff.browser();
    const res = await bff.signInVia(b, '/auth/login');
    expect(location(res).pathname).toBe('/login-error');
    expect((await session(b)).authenticated).toBe(false);
  });
});

describe('/readyz with several providers', () => {
  it('is 503 naming the provider whose metadata cannot load, and 200 once every one has loaded', async () => {
    const fresh = await createMockIdp({ issuer: 'https://third.example.test' });
    fresh.faults.discovery = 'server_error';
    const three = await startTestBff({
      moreIdps: [fresh],
      file: { providers: { third: { issuer: fresh.issuer, clientId: DEFAULT_CLIENT.client_id, clientSecret: DEFAULT_CLIENT.client_secret } } },
    });
    try {
      const down = await three.browser().get('/readyz');
      expect(down.status).toBe(503);
      expect(((await down.json()) as { provider: string }).provider).toBe('third');
      fresh.faults = {};
      const up = await three.browser().get('/readyz');
      expect(up.status).toBe(200);
    } finally {
      await three.close();
    }
  });
});
