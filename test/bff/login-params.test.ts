import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { location } from '../support/browser.ts';

let bff: TestBff;
beforeAll(async () => {
  bff = await startTestBff();
});
afterAll(() => bff.close());
beforeEach(() => bff.idp.reset());

async function authorizationQuery(query: string): Promise<URLSearchParams> {
  const res = await bff.browser().get(`/auth/login?${query}`);
  expect(res.status).toBe(302);
  return location(res).searchParams;
}

async function refused(query: string): Promise<string> {
  const res = await bff.browser().get(`/auth/login?${query}`);
  expect(res.status, query).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('set-cookie') ?? '', query).not.toMatch(/bff-tx=/);
  return ((await res.json()) as { code: string }).code;
}

describe('GET /auth/login: login parameters (OIDC Core §3.1.2.1)', () => {
  it.each([
    ['prompt=login', 'prompt', 'login'],
    ['prompt=none', 'prompt', 'none'],
    ['prompt=select_account', 'prompt', 'select_account'],
    ['prompt=login%20consent', 'prompt', 'login consent'],
    ['max_age=0', 'max_age', '0'],
    ['max_age=3600', 'max_age', '3600'],
    ['acr_values=mfa', 'acr_values', 'mfa'],
    ['acr_values=urn%3Amace%3Aincommon%3Aiap%3Asilver%20mfa', 'acr_values', 'urn:mace:incommon:iap:silver mfa'],
    ['login_hint=alice%40example.test', 'login_hint', 'alice@example.test'],
    ['ui_locales=fr-CA%20en', 'ui_locales', 'fr-CA en'],
  ])('%s reaches the provider', async (query, name, value) => {
    expect((await authorizationQuery(query)).get(name)).toBe(value);
  });

  it('an explicit prompt replaces the configured one (consent, for offline_access)', async () => {
    expect((await authorizationQuery('')).get('prompt')).toBe('consent');
    expect((await authorizationQuery('prompt=none')).getAll('prompt')).toEqual(['none']);
  });

  it.each([
    'prompt=bogus', 'prompt=none%20login', 'prompt=', 'prompt=login%20login', 'prompt=LOGIN',
    'max_age=-1', 'max_age=1.5', 'max_age=abc', 'max_age=', 'max_age=01', 'max_age=99999999999',
    'acr_values=a%22b', 'acr_values=a%5Cb', 'acr_values=', 'acr_values=mfa%20%20pwd',
    'login_hint=', 'login_hint=a%0Ab', `login_hint=${'x'.repeat(300)}`,
    'ui_locales=en_US', 'ui_locales=%3Cscript%3E',
  ])('refuses %s with 400 bad_request', async (query) => {
    expect(await refused(query)).toBe('bad_request');
  });

  it.each(['scope=openid%20admin', 'redirect_uri=https%3A%2F%2Fevil.example%2F', 'response_type=token', 'request=eyJ', 'claims=%7B%7D', 'client_id=x', 'nonce=1', 'foo=bar'])(
    'refuses any other parameter (%s) with 400 bad_request',
    async (query) => {
      expect(await refused(query)).toBe('bad_request');
    },
  );

  it('refuses a parameter given twice', async () => {
    expect(await refused('prompt=login&prompt=none')).toBe('bad_request');
  });
});

describe('silent sign-in: prompt=none', () => {
  it.each(['login_required', 'consent_required', 'interaction_required'])('%s brings the user back to returnTo with ?error= and no session', async (error) => {
    bff.idp.faults.authorize = { error };
    const b = bff.browser();
    const res = await bff.signInVia(b, '/auth/login?prompt=none&returnTo=%2Fnotes%3Ftab%3D2%23top');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/notes?tab=2&error=${error}#top`);
    expect([...b.jar.keys()]).toEqual([]);
    expect(await (await b.get('/auth/session')).json()).toEqual({ authenticated: false });
  });

  it('other errors of a silent sign-in, and the same errors without prompt=none, go to the error page', async () => {
    bff.idp.faults.authorize = { error: 'access_denied' };
    expect(location(await bff.signInVia(bff.browser(), '/auth/login?prompt=none&returnTo=%2Fnotes')).pathname).toBe('/login-error');
    bff.idp.faults.authorize = { error: 'login_required' };
    expect(location(await bff.signInVia(bff.browser(), '/auth/login?returnTo=%2Fnotes')).pathname).toBe('/login-error');
  });

  it('a silent sign-in that succeeds lands on returnTo signed in', async () => {
    const b = bff.browser();
    const res = await bff.signInVia(b, '/auth/login?prompt=none&returnTo=%2Fnotes');
    expect(res.headers.get('location')).toBe('/notes');
    expect(((await (await b.get('/auth/session')).json()) as { authenticated: boolean }).authenticated).toBe(true);
  });
});
