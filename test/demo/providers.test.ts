import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { loadConfig } from '../../bff/config.ts';
import { createLogger } from '../../bff/log.ts';
import { listen, type RunningBff } from '../../bff/server.ts';
import type { DemoProvider } from '../../demo/provider/index.ts';
import { Browser, location } from '../support/browser.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { CLIENT, discover, login, startProvider, walkToCallback } from './oidc-flow.ts';
import { waitForAsync } from '../support/wait.ts';

// Two real oidc-provider instances behind one BFF: `default` (RS256, claims in the ID token) and
// `quirky`, configured like providers that cannot sign in with the single-provider BFF: ID tokens
// MACed with the client secret (HS512) and profile claims only from UserInfo.

let plain: DemoProvider;
let quirky: DemoProvider;
let upstream: Upstream;
let bff: RunningBff;

beforeAll(async () => {
  [plain, quirky, upstream] = await Promise.all([
    startProvider(),
    // 30 s access tokens: always inside the BFF's 60 s refresh skew, so relayed calls keep refreshing.
    startProvider({ idTokenAlg: 'HS512', claimsFromUserinfoOnly: true, accessTokenTtl: 30 }),
    startUpstream(),
  ]);
  const config = loadConfig(
    {
      HOST: '127.0.0.1', PORT: '0', BFF_PUBLIC_URL: 'http://localhost:3000', LOG_LEVEL: 'silent',
      OIDC_ISSUER: plain.issuer, OIDC_CLIENT_ID: CLIENT.client_id, OIDC_CLIENT_SECRET: CLIENT.client_secret,
      SESSION_SECRET: 'providers-test-session-secret-0123456789', API_UPSTREAM_URL: upstream.url,
    },
    { file: { providers: { quirky: { issuer: quirky.issuer, clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret, label: 'Quirky' } } } },
  );
  bff = await listen(config, { log: createLogger('silent') });
}, 30_000);

afterAll(async () => {
  await bff?.shutdown(100);
  await Promise.all([plain?.close(), quirky?.close(), upstream?.close()]);
});

interface Person { bff: Browser; provider: CookieJar }

async function signIn(username: string, loginPath: string): Promise<Person> {
  const person = { bff: new Browser(bff.url), provider: new CookieJar() };
  const { callback } = await walkToCallback(person.provider, location(await person.bff.get(loginPath)), username);
  const back = await person.bff.get(callback.pathname + callback.search);
  expect(location(back).pathname).toBe('/');
  return person;
}

async function session(person: Person) {
  return (await (await person.bff.get('/auth/session')).json()) as { provider: string; user: Record<string, unknown>; logoutUrl: string };
}

describe('the quirky provider really is quirky', () => {
  it('signs ID tokens with HS512 and puts no profile claims in them', async () => {
    const { tokens } = await login(await discover(quirky.issuer), 'alice');
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('HS512');
    expect(tokens.claims()).not.toHaveProperty('name');
    expect(tokens.claims()).not.toHaveProperty('email');
  });
});

describe('two real providers', () => {
  it('lists both', async () => {
    expect(await (await new Browser(bff.url).get('/auth/providers')).json()).toEqual([{ name: 'default', label: 'default' }, { name: 'quirky', label: 'Quirky' }]);
  });

  it('signs in at the HS512, UserInfo-only provider: profile claims from UserInfo; refresh and logout go there', async () => {
    const alice = await signIn('alice', '/auth/login?provider=quirky');
    const s = await session(alice);
    expect(s.provider).toBe('quirky');
    expect(s.user).toMatchObject({ sub: 'alice', name: expect.any(String), email: expect.stringContaining('@') });

    expect((await alice.bff.api('/api/a')).status).toBe(200);
    const first = upstream.seen.at(-1)!.headers.authorization;
    // That call's token was inside the refresh window: it went on, and a refresh at quirky (an HS512
    // ID token on refresh too) started behind it. A later call is relayed with the new token once
    // that refresh is done; until then it goes on with the current one.
    await waitForAsync(async () => (await alice.bff.api('/api/b')).status === 200 && upstream.seen.at(-1)!.headers.authorization !== first);

    const out = await alice.bff.get(s.logoutUrl);
    expect(location(out).origin).toBe(new URL(quirky.issuer).origin);
  });

  it('signs in at the default provider by default, and logs out there', async () => {
    const bob = await signIn('bob', '/auth/login');
    const s = await session(bob);
    expect(s.provider).toBe('default');
    expect(s.user.name).toBeTruthy();
    expect(location(await bob.bff.get(s.logoutUrl)).origin).toBe(new URL(plain.issuer).origin);
  });

  it('refuses the mix-up: a login started at default, answered by quirky (same client there)', async () => {
    const browser = new Browser(bff.url);
    const authorize = location(await browser.get('/auth/login'));
    const swapped = new URL(`${quirky.issuer}${authorize.pathname}${authorize.search}`);
    const { callback } = await walkToCallback(new CookieJar(), swapped, 'mallory');
    expect(callback.searchParams.get('iss')).toBe(quirky.issuer);
    const back = await browser.get(callback.pathname + callback.search);
    expect(location(back).pathname).toBe('/login-error');
    expect(await (await browser.get('/auth/session')).json()).toEqual({ authenticated: false });
  });
});
