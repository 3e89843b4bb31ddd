import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { location, type Browser } from '../support/browser.ts';

let bff: TestBff;
beforeAll(async () => {
  bff = await startTestBff();
});
afterAll(() => bff.close());
beforeEach(() => bff.idp.reset());

async function signedIn(): Promise<{ b: Browser; logoutUrl: string }> {
  const b = bff.browser();
  await bff.signIn(b);
  const { logoutUrl } = (await (await b.get('/auth/session')).json()) as { logoutUrl: string };
  return { b, logoutUrl };
}

const isAuthenticated = async (b: Browser, cookie?: string) =>
  ((await (await b.get('/auth/session', cookie ? { cookie } : {})).json()) as { authenticated: boolean }).authenticated;

describe('GET /auth/logout', () => {
  it('with a wrong sid answers 400 invalid_sid and keeps the session', async () => {
    const { b } = await signedIn();
    const res = await b.get('/auth/logout?sid=guessed');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { code: string }).code).toBe('invalid_sid');
    expect(await isAuthenticated(b)).toBe(true);
    expect(bff.idp.calls.revocations).toHaveLength(0);
  });

  it('without a sid answers 400 and keeps the session', async () => {
    const { b } = await signedIn();
    expect((await b.get('/auth/logout')).status).toBe(400);
    expect(await isAuthenticated(b)).toBe(true);
  });

  it('with the sid twice (an array) answers 400', async () => {
    const { b, logoutUrl } = await signedIn();
    const sid = new URL(logoutUrl, 'http://x').searchParams.get('sid')!;
    expect((await b.get(`/auth/logout?sid=${sid}&sid=${sid}`)).status).toBe(400);
    expect(await isAuthenticated(b)).toBe(true);
  });

  it('from another site (Sec-Fetch-Site: cross-site) is refused with 403 csrf', async () => {
    const { b, logoutUrl } = await signedIn();
    const res = await b.get(logoutUrl, { 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('csrf');
    expect(await isAuthenticated(b)).toBe(true);
  });

  it('with the right sid ends the session, revokes the refresh token and redirects to end-session', async () => {
    const { b, logoutUrl } = await signedIn();
    const before = b.cookieHeader();
    const res = await b.get(logoutUrl);
    expect(res.status).toBe(302);
    const to = location(res);
    expect(to.origin + to.pathname).toBe(`${bff.idp.issuer}/end-session`);
    expect(to.searchParams.get('client_id')).toBe('bff');
    expect(to.searchParams.get('post_logout_redirect_uri')).toBe('http://localhost:3000/');
    expect(to.searchParams.get('id_token_hint')).toBeNull();
    expect([...b.jar.keys()].some((k) => k.startsWith('bff-session'))).toBe(false);
    expect(bff.idp.calls.revocations).toHaveLength(1);
    expect(bff.idp.calls.revocations[0]!.token_type_hint).toBe('refresh_token');
    expect(bff.idp.isRefreshTokenActive(bff.idp.calls.revocations[0]!.token)).toBe(false);
    // A copy of the cookie kept from before the logout is worthless now.
    expect(await isAuthenticated(b, before)).toBe(false);
  });

  it('without a session just goes to the post-logout page', async () => {
    const res = await bff.browser().get('/auth/logout?sid=anything');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://localhost:3000/');
  });
});

describe('a provider without end_session_endpoint or revocation', () => {
  it('redirects to the post-logout URI and still ends the session', async () => {
    const plain = await startTestBff({ idpOptions: { endSession: false, revocation: false }, env: { OIDC_POST_LOGOUT_REDIRECT_URI: 'http://localhost:3000/bye' } });
    try {
      const b = plain.browser();
      await plain.signIn(b);
      const { logoutUrl } = (await (await b.get('/auth/session')).json()) as { logoutUrl: string };
      const res = await b.get(logoutUrl);
      expect(res.headers.get('location')).toBe('http://localhost:3000/bye');
      expect(plain.idp.calls.revocations).toHaveLength(0);
      expect(await (await b.get('/auth/session')).json()).toEqual({ authenticated: false });
    } finally {
      await plain.close();
    }
  });
});
