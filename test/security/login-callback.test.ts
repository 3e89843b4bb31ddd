import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { location, type Browser } from '../support/browser.ts';
import type { IdpFaults } from '../support/idp/index.ts';

let bff: TestBff;
beforeAll(async () => {
  bff = await startTestBff();
});
afterAll(() => bff.close());
beforeEach(() => bff.idp.reset());

/** Asserts the user landed on the SPA's error page with `error`, and holds no session. */
async function expectLoginError(b: Browser, res: Response, error: string): Promise<URL> {
  expect(res.status).toBe(302);
  const to = location(res);
  expect(to.pathname).toBe('/login-error');
  expect(to.searchParams.get('error')).toBe(error);
  expect(to.searchParams.get('error_description')).toBeTruthy();
  expect([...b.jar.keys()].filter((k) => k.startsWith('bff-session'))).toEqual([]);
  expect(await (await b.get('/auth/session')).json()).toEqual({ authenticated: false });
  return to;
}

describe('GET /auth/callback refuses', () => {
  it('a state that does not match the transaction', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    callback.searchParams.set('state', 'attacker-state');
    await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
    expect(bff.idp.calls.tokenCode).toBe(0);
  });

  it('a callback without the transaction cookie (login CSRF / another browser)', async () => {
    const victim = bff.browser();
    const callback = await bff.startLogin(bff.browser());
    await expectLoginError(victim, await victim.get(callback.pathname + callback.search), 'login_failed');
    expect(bff.idp.calls.tokenCode).toBe(0);
  });

  it('a replayed transaction cookie, before anything reaches the provider', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    const txCookie = b.cookieHeader();
    expect((await b.get(callback.pathname + callback.search)).headers.get('location')).toBe('/');
    const replay = bff.browser();
    const res = await replay.get(callback.pathname + callback.search, { cookie: txCookie });
    await expectLoginError(replay, res, 'login_failed');
    expect(bff.idp.calls.tokenCode).toBe(1);
  });

  it('a transaction cookie sealed with another secret', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    const other = await startTestBff({ idp: bff.idp, env: { SESSION_SECRET: 'another-secret-entirely-0123456789abcdef' } });
    try {
      const res = await b.request(new URL(callback.pathname + callback.search, other.url).href);
      await expectLoginError(b, res, 'login_failed');
    } finally {
      await other.close();
    }
  });

  const idTokenFaults: NonNullable<IdpFaults['idToken']>[] = ['wrong_nonce', 'wrong_iss', 'wrong_aud', 'expired', 'alg_none', 'bad_signature', 'missing'];
  for (const fault of idTokenFaults) {
    it(`an ID token with ${fault.replace('_', ' ')}`, async () => {
      bff.idp.faults.idToken = fault;
      const b = bff.browser();
      const callback = await bff.startLogin(b);
      await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
    });
  }

  for (const issParam of ['wrong', 'missing'] as const) {
    it(`an authorization response whose RFC 9207 iss is ${issParam}`, async () => {
      bff.idp.faults.issParam = issParam;
      const b = bff.browser();
      const callback = await bff.startLogin(b);
      await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
      expect(bff.idp.calls.tokenCode).toBe(0);
    });
  }

  it('a code the provider rejects (invalid_grant)', async () => {
    bff.idp.faults.token = 'invalid_grant';
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
  });

  it('a tampered code (PKCE and code binding are checked by the provider)', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    callback.searchParams.set('code', 'forged-code');
    await expectLoginError(b, await b.get(callback.pathname + callback.search), 'login_failed');
  });

  for (const fault of ['server_error', 'network'] as const) {
    it(`a token endpoint ${fault} as provider_unavailable, never a 5xx`, async () => {
      bff.idp.faults.token = fault;
      const b = bff.browser();
      const callback = await bff.startLogin(b);
      await expectLoginError(b, await b.get(callback.pathname + callback.search), 'provider_unavailable');
    });
  }
});

describe('a provider error at the callback', () => {
  it('shows the provider error and description on the SPA page', async () => {
    bff.idp.faults.authorize = { error: 'access_denied', error_description: 'The user said no' };
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    const to = await expectLoginError(b, await b.get(callback.pathname + callback.search), 'access_denied');
    expect(to.searchParams.get('error_description')).toBe('The user said no');
  });

  it('drops error values outside the RFC 6749 character set instead of reflecting them', async () => {
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    const q = new URLSearchParams({ error: 'x"\u00e9\n<script>', state: callback.searchParams.get('state')!, iss: bff.idp.issuer });
    const res = await b.get(`/auth/callback?${q}`);
    const to = await expectLoginError(b, res, 'login_failed');
    expect(to.searchParams.get('error_description')).not.toMatch(/[<"\n]/);
    expect(to.search).not.toMatch(/%3Cscript|<script/i);
  });

  it('answers a callback with no parameters at all with the error page', async () => {
    const b = bff.browser();
    await expectLoginError(b, await b.get('/auth/callback'), 'login_failed');
  });
});
