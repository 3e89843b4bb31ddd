import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { location } from '../support/browser.ts';

let bff: TestBff;
beforeAll(async () => {
  bff = await startTestBff();
});
afterAll(() => bff.close());
beforeEach(() => bff.idp.reset());

describe('GET /auth/login', () => {
  it('redirects to the authorization endpoint with code, PKCE S256, state and nonce', async () => {
    const b = bff.browser();
    const res = await b.get('/auth/login');
    expect(res.status).toBe(302);
    const url = location(res);
    expect(url.origin + url.pathname).toBe(`${bff.idp.issuer}/authorize`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('bff');
    expect(q.get('redirect_uri')).toBe('http://localhost:3000/auth/callback');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')!.length).toBeGreaterThanOrEqual(22);
    expect(q.get('nonce')!.length).toBeGreaterThanOrEqual(22);
    expect(q.get('scope')).toBe('openid profile email offline_access');
    // Spec-strict providers issue a refresh token for offline_access only with prompt=consent.
    expect(q.get('prompt')).toBe('consent');
    expect(b.jar.has('bff-tx')).toBe(true);
  });

  it('uses fresh state, nonce and verifier on every attempt', async () => {
    const a = location(await bff.browser().get('/auth/login')).searchParams;
    const b = location(await bff.browser().get('/auth/login')).searchParams;
    expect(a.get('state')).not.toBe(b.get('state'));
    expect(a.get('nonce')).not.toBe(b.get('nonce'));
    expect(a.get('code_challenge')).not.toBe(b.get('code_challenge'));
  });

  it('sets an HttpOnly, SameSite=Lax transaction cookie whose lifetime is exactly Max-Age=600 (not 6000)', async () => {
    const b = bff.browser();
    await b.get('/auth/login');
    const line = b.lastSetCookies.find((l) => l.startsWith('bff-tx='))!;
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Lax/);
    expect(line).toMatch(/Path=\//);
    // The exact attribute: a pattern like /Max-Age=600/ would also accept 6000.
    const maxAges = line.split(';').map((a) => a.trim()).filter((a) => /^max-age=/i.test(a));
    expect(maxAges).toEqual(['Max-Age=600']);
  });
});

describe('a whole sign-in', () => {
  it('lands on returnTo with a session that /auth/session describes without any token', async () => {
    const b = bff.browser();
    const res = await bff.signIn(b, '/notes?tab=2');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/notes?tab=2');
    expect(b.jar.has('bff-tx')).toBe(false);
    const info = await b.get('/auth/session');
    expect(info.headers.get('cache-control')).toBe('no-store');
    const body = (await info.json()) as { authenticated: boolean; user: Record<string, unknown>; logoutUrl: string; expiresAt: number };
    expect(body.authenticated).toBe(true);
    expect(body.user).toMatchObject({ sub: 'alice', name: 'Alice Example', email: 'alice@example.test' });
    expect(body.user).not.toHaveProperty('nonce');
    expect(body.logoutUrl).toMatch(/^\/auth\/logout\?sid=[A-Za-z0-9_-]{20,}$/);
    expect(body.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(JSON.stringify(body)).not.toMatch(/eyJ|access_token|refresh_token/);
    expect(bff.idp.calls.tokenCode).toBe(1);
  });

  it('answers {authenticated:false} without a session', async () => {
    const res = await bff.browser().get('/auth/session');
    expect(await res.json()).toEqual({ authenticated: false });
  });

  it('replaces an existing session when signing in again', async () => {
    const b = bff.browser();
    await bff.signIn(b);
    const first = (await (await b.get('/auth/session')).json()) as { logoutUrl: string };
    const oldCookie = b.cookieHeader();
    await bff.signIn(b);
    const second = (await (await b.get('/auth/session')).json()) as { logoutUrl: string };
    expect(second.logoutUrl).not.toBe(first.logoutUrl);
    // The replaced session's cookie no longer works, even if someone kept it.
    const stale = await b.get('/auth/session', { cookie: oldCookie });
    expect(await stale.json()).toEqual({ authenticated: false });
  });
});
