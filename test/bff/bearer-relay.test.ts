import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { startUpstream, type Upstream } from '../support/upstream.ts';
import { DEFAULT_USER } from '../support/idp/index.ts';
import { MINIMAL_ENV, problemsOf } from '../support/config.ts';

/**
 * Bearer access end to end: the real BFF, a recording upstream, the msw provider issuing RFC 9068
 * JWT access tokens (and opaque ones, by introspection). A bearer request is judged by its token
 * alone: no CSRF, no cookie, `require` against the token, the same token relayed.
 */

let bff: TestBff;
let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream();
  bff = await startTestBff({
    idpOptions: { accessTokenFormat: 'jwt' },
    file: {
      apis: [
        { path: '/api/reports', upstream: `${upstream.url}/reports`, bearer: true, require: { scopes: ['reports:read'] } },
        { path: '/api/audit', upstream: `${upstream.url}/audit`, bearer: true, require: { claims: { roles: 'auditor' } } },
        { path: '/api/plain', upstream: `${upstream.url}/plain` },
      ],
    },
  });
});
afterAll(async () => {
  await bff?.close();
  await upstream?.close();
});
beforeEach(() => {
  bff.idp.reset();
  upstream.clear();
});

const bearer = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });

async function call(path: string, headers: Record<string, string>, method = 'GET'): Promise<Response> {
  return fetch(`${bff.url}${path}`, { method, headers, redirect: 'manual' });
}

describe('a bearer route', () => {
  it('relays a valid JWT access token as it came, with no X-CSRF and no cookie', async () => {
    const token = await bff.idp.accessToken({ scope: 'openid reports:read' });
    const res = await call('/api/reports/7?x=1', bearer(token));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ url: '/reports/7?x=1', authorization: `Bearer ${token}` });
  });

  it('relays a valid opaque token, checked by introspection', async () => {
    const token = await bff.idp.accessToken({ format: 'opaque', scope: 'reports:read' });
    const res = await call('/api/reports', bearer(token), 'POST');
    expect(res.status).toBe(200);
    expect(upstream.seen[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(bff.idp.calls.introspection).toBe(1);
  });

  it('answers 401 invalid_token with the RFC 6750 challenge to a forged token, and relays nothing', async () => {
    const token = await bff.idp.accessToken({ scope: 'reports:read', fault: 'bad_signature' });
    const res = await call('/api/reports', bearer(token));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ code: 'invalid_token', status: 401 });
    expect(body).not.toContain(token);
    expect(upstream.arrived).toBe(0);
  });

  it('answers 403 forbidden with insufficient_scope when the token lacks a required scope or claim', async () => {
    const res = await call('/api/reports', bearer(await bff.idp.accessToken({ scope: 'openid' })));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(await res.json()).toMatchObject({ code: 'forbidden', missing: ['reports:read'] });
    const claims = await call('/api/audit', bearer(await bff.idp.accessToken({ claims: { roles: ['reader'] } })));
    expect(claims.status).toBe(403);
    expect(await claims.json()).toMatchObject({ code: 'forbidden', missing: ['roles'] });
    expect(upstream.arrived).toBe(0);
    const auditor = await call('/api/audit', bearer(await bff.idp.accessToken({ claims: { roles: ['auditor'] } })));
    expect(auditor.status).toBe(200);
  });

  it('judges a bearer request by its token alone: someone else\'s cookie gives it nothing', async () => {
    // Alice is signed in in a browser; a script holding Bob's token sends it with Alice's cookie.
    const alice = bff.browser();
    expect((await bff.signIn(alice)).status).toBe(302);
    bff.idp.settings.user = { ...DEFAULT_USER, sub: 'bob', name: 'Bob' };
    const bobs = await bff.idp.accessToken({ scope: 'reports:read' });
    const res = await call('/api/reports', bearer(bobs, { cookie: alice.cookieHeader(), 'x-csrf': '1' }));
    expect(res.status).toBe(200);
    expect(upstream.seen[0]?.headers.authorization).toBe(`Bearer ${bobs}`);
    expect(upstream.seen[0]?.headers.cookie).toBeUndefined();
    expect(res.headers.getSetCookie()).toEqual([]);
    // An invalid token with a valid cookie is refused, never relayed as the cookie's session.
    const forged = await call('/api/reports', bearer('at_not-a-real-token', { cookie: alice.cookieHeader(), 'x-csrf': '1' }));
    expect(forged.status).toBe(401);
    expect(upstream.arrived).toBe(1);
  });

  it('does not apply CSRF to a bearer request (it carries no ambient credential)', async () => {
    const token = await bff.idp.accessToken({ scope: 'reports:read' });
    const res = await call('/api/reports', bearer(token, { origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' }), 'DELETE');
    expect(res.status).toBe(200);
  });

  it('without a bearer token, keeps the browser rules (CSRF, then the session)', async () => {
    expect((await call('/api/reports', {})).status).toBe(403);
    const b = bff.browser();
    expect((await b.api('/api/reports')).status).toBe(401);
  });
});

describe('a route without bearer', () => {
  it('drops a client\'s Authorization and keeps CSRF: a bearer token does not open it', async () => {
    const token = await bff.idp.accessToken({ scope: 'reports:read' });
    const res = await call('/api/plain', bearer(token));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'csrf' });
    const b = bff.browser();
    expect((await bff.signIn(b)).status).toBe(302);
    const relayed = await b.api('/api/plain', { headers: bearer(token) });
    expect(relayed.status).toBe(200);
    const seen = upstream.seen.at(-1)?.headers.authorization;
    expect(seen).toMatch(/^Bearer /);
    expect(seen).not.toBe(`Bearer ${token}`);
  });
});

describe('configuration', () => {
  it('refuses bearer on a route whose upstream must never see a user\'s token (none, client)', () => {
    for (const token of ['none', 'client'] as const) {
      const problems = problemsOf(MINIMAL_ENV, { file: { apis: [{ path: '/api/x', upstream: 'http://x.internal', token, bearer: true }] } });
      expect(problems).toEqual(['apis[0].bearer: bearer applies only to routes whose token is user, user-optional or user-or-client']);
    }
  });
});
