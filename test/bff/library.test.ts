import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createBff, ConfigError, type Bff } from '../../bff/index.ts';
import { createMockIdp, DEFAULT_CLIENT, fetchFromHandlers, type MockIdp, type MockIdpOptions } from '../support/idp/index.ts';
import { Browser, location } from '../support/browser.ts';
import { TEST_SECRET, PUBLIC_ORIGIN } from '../support/bff.ts';

// The BFF as a library inside a host Express app: the contract's example, route for route.

interface Host {
  idp: MockIdp;
  bff: Bff;
  browser: () => Browser;
  signIn: (b: Browser, loginPath?: string) => Promise<void>;
  provider: ReturnType<typeof fetchFromHandlers>;
}

const servers: Server[] = [];
const bffs: Bff[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await Promise.all(bffs.splice(0).map((b) => b.close()));
});

async function startHost(idpOptions: MockIdpOptions = {}, env: Record<string, string> = {}): Promise<Host> {
  const idp = await createMockIdp(idpOptions);
  const provider = fetchFromHandlers(idp.handlers);
  const bff = await createBff({
    env: {
      BFF_PUBLIC_URL: PUBLIC_ORIGIN,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: DEFAULT_CLIENT.client_id,
      OIDC_CLIENT_SECRET: DEFAULT_CLIENT.client_secret,
      SESSION_SECRET: TEST_SECRET,
      LOG_LEVEL: 'silent',
      LOGIN_RATE_LIMIT_PER_MIN: '100000',
      BFF_STATIC_DIR: 'none',
      ...env,
    },
    fetch: provider.fetch,
  });
  bffs.push(bff);

  const app = express();
  app.get('/local/me', bff.requireUser(), (req, res) => {
    res.json({ sub: req.bff.user.sub, sid: req.bff.sid, tokenLength: req.bff.accessToken.length, token: req.bff.accessToken });
  });
  app.get('/local/strong', bff.requireUser({ acr: ['mfa'] }), (req, res) => res.json({ sub: req.bff.user.sub }));
  app.post('/local/admin', bff.requireUser({ claims: { roles: 'admin' } }), (_req, res) => res.json({ ok: true }));
  app.get('/local/feed', bff.optionalUser(), (req, res) => {
    const who = (req as { bff?: { user: { name?: unknown } } }).bff?.user.name;
    res.json({ hello: typeof who === 'string' ? who : 'guest' });
  });
  app.get('/local/script', bff.requireUser({ bearer: true, scopes: ['reports:read'] }), (req, res) => {
    res.json({ sub: req.bff.user.sub, sid: req.bff.sid, sameToken: req.headers.authorization === `Bearer ${req.bff.accessToken}` });
  });
  app.use(bff.handler);
  app.get('/local/after', (_req, res) => res.type('text/plain').send('host route after the BFF'));
  app.use((_req, res) => res.status(404).type('text/plain').send('host 404'));
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    idp,
    bff,
    provider,
    browser: () => new Browser(base),
    async signIn(b, loginPath = '/auth/login') {
      const login = await b.get(loginPath);
      expect(login.status).toBe(302);
      const callback = await idp.authorize(location(login).href);
      const done = await b.get(callback.pathname + callback.search);
      expect(done.status).toBe(302);
    },
  };
}

const csrf = { 'x-csrf': '1' };

describe('createBff: the configuration', () => {
  it('throws one ConfigError naming every bad variable', async () => {
    const err = await createBff({ env: { OIDC_ISSUER: 'not a url', SESSION_SECRET: 'short' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const { problems } = err as ConfigError;
    expect(problems.some((p) => p.startsWith('OIDC_ISSUER'))).toBe(true);
    expect(problems.some((p) => p.startsWith('SESSION_SECRET'))).toBe(true);
  });

  it('refuses a requirement with a typo when the route is declared, not at the first request', async () => {
    const { bff } = await startHost();
    expect(() => bff.requireUser({ claim: { roles: 'admin' } } as never)).toThrow(/Invalid requirements: requireUser/);
    expect(() => bff.optionalUser({ scopes: ['has space'] })).toThrow(/optionalUser\.scopes\.0/);
  });
});

describe('requireUser', () => {
  it('answers 401 unauthenticated as problem+json to an anonymous caller, and the host handler never runs', async () => {
    const host = await startHost();
    const res = await host.browser().get('/local/me', csrf);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('holds the /api CSRF rule: a signed-in browser without X-CSRF, or from another origin, is refused', async () => {
    const host = await startHost();
    const b = host.browser();
    await host.signIn(b);
    const noHeader = await b.get('/local/me');
    expect(noHeader.status).toBe(403);
    expect(await noHeader.json()).toMatchObject({ code: 'csrf' });
    const foreign = await b.get('/local/me', { ...csrf, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const crossSite = await b.request('/local/admin', { method: 'POST', headers: { ...csrf, 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
  });

  it('gives the host handler the user, the session id and the access token the provider issued', async () => {
    const host = await startHost({ user: { sub: 'alice', name: 'Alice' } });
    const b = host.browser();
    await host.signIn(b);
    const res = await b.get('/local/me', csrf);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sub: string; sid: string; token: string };
    expect(body.sub).toBe('alice');
    expect(body.sid).toMatch(/^[\w-]{16,}$/);
    expect(host.provider.issuedTokens).toContain(body.token);
    expect(host.idp.isAccessTokenActive(body.token)).toBe(true);
  });

  it('answers 403 forbidden with missing when a claim requirement is unmet, and lets a user who meets it through', async () => {
    const reader = await startHost({ user: { sub: 'bob', roles: ['reader'] } });
    const b = reader.browser();
    await reader.signIn(b);
    const refused = await b.request('/local/admin', { method: 'POST', headers: csrf });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'forbidden', missing: ['roles'] });

    const admin = await startHost({ user: { sub: 'carol', roles: ['reader', 'admin'] } });
    const c = admin.browser();
    await admin.signIn(c);
    const allowed = await c.request('/local/admin', { method: 'POST', headers: csrf });
    expect(allowed.status).toBe(200);
  });

  it('refreshes a stale access token first, and the new cookie leaves with the host response', async () => {
    // 5 s tokens are about to expire from the start: the request waits for the refresh.
    const host = await startHost({ accessTokenTtl: 5 });
    const b = host.browser();
    await host.signIn(b);
    const first = host.provider.issuedTokens.slice();
    const before = host.idp.calls.tokenRefresh;
    const res = await b.get('/local/me', csrf);
    expect(res.status).toBe(200);
    expect(host.idp.calls.tokenRefresh).toBe(before + 1);
    const { token } = (await res.json()) as { token: string };
    expect(first).not.toContain(token);
    expect(b.lastSetCookies.some((c) => c.startsWith('bff-session'))).toBe(true);
  });

  it('answers 401 session_expired when the provider rejects the refresh, and clears the session', async () => {
    const host = await startHost({ accessTokenTtl: 5 });
    const b = host.browser();
    await host.signIn(b);
    host.idp.faults = { refresh: 'invalid_grant' };
    const res = await b.get('/local/me', csrf);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'session_expired' });
    expect(b.jar.size).toBe(0);
  });
});

describe('requireUser({ bearer: true })', () => {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('accepts a valid access token from a client with no cookie and no X-CSRF, judged by the token alone', async () => {
    const host = await startHost({ accessTokenFormat: 'jwt', user: { sub: 'script-user' } });
    const token = await host.idp.accessToken({ scope: 'openid reports:read' });
    const res = await host.browser().get('/local/script', bearer(token));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'script-user', sid: '', sameToken: true });
  });

  it("ignores someone else's cookie on a bearer request: the token's user, not the session's", async () => {
    const host = await startHost({ accessTokenFormat: 'jwt', user: { sub: 'alice' } });
    const b = host.browser();
    await host.signIn(b);
    host.idp.settings = { ...host.idp.settings, user: { sub: 'mallory' } };
    const token = await host.idp.accessToken({ scope: 'reports:read' });
    const res = await b.get('/local/script', bearer(token));
    expect(await res.json()).toMatchObject({ sub: 'mallory', sid: '' });
  });

  it('answers 401 invalid_token with WWW-Authenticate for a forged token, 403 insufficient_scope for a missing scope', async () => {
    const host = await startHost({ accessTokenFormat: 'jwt' });
    const forged = await host.browser().get('/local/script', bearer(await host.idp.accessToken({ scope: 'reports:read', fault: 'bad_signature' })));
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await forged.json()).toMatchObject({ code: 'invalid_token' });
    const narrow = await host.browser().get('/local/script', bearer(await host.idp.accessToken({ scope: 'openid' })));
    expect(narrow.status).toBe(403);
    expect(narrow.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(await narrow.json()).toMatchObject({ code: 'forbidden', missing: ['reports:read'] });
  });

  it('without bearer: true, a bearer token opens nothing: the route still wants the session and X-CSRF', async () => {
    const host = await startHost({ accessTokenFormat: 'jwt' });
    const token = await host.idp.accessToken({ scope: 'openid' });
    const res = await host.browser().get('/local/me', { ...bearer(token), ...csrf });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses a bearer option that is not a boolean when the route is declared', async () => {
    const { bff } = await startHost();
    expect(() => bff.requireUser({ bearer: 'yes' } as never)).toThrow(/requireUser\.bearer/);
  });
});

describe('requireUser({ acr }): step-up', () => {
  it('answers 401 step_up_required with a loginUrl; after that sign-in the route opens', async () => {
    const host = await startHost();
    const b = host.browser();
    await host.signIn(b);
    const refused = await b.get('/local/strong', csrf);
    expect(refused.status).toBe(401);
    const problem = (await refused.json()) as { code: string; acr_values: string; loginUrl: string };
    expect(problem).toMatchObject({ code: 'step_up_required', acr_values: 'mfa' });
    expect(new URL(problem.loginUrl, 'http://x').searchParams.get('acr_values')).toBe('mfa');
    await host.signIn(b, problem.loginUrl);
    const allowed = await b.get('/local/strong', csrf);
    expect(allowed.status).toBe(200);
  });
});

describe('optionalUser', () => {
  it('lets an anonymous caller through with no req.bff, and a signed-in one with the user', async () => {
    const host = await startHost({ user: { sub: 'alice', name: 'Alice' } });
    const b = host.browser();
    expect(await (await b.get('/local/feed', csrf)).json()).toEqual({ hello: 'guest' });
    await host.signIn(b);
    expect(await (await b.get('/local/feed', csrf)).json()).toEqual({ hello: 'Alice' });
  });

  it('treats a session whose refresh was rejected as anonymous, clearing its cookies', async () => {
    const host = await startHost({ accessTokenTtl: 5, user: { sub: 'alice', name: 'Alice' } });
    const b = host.browser();
    await host.signIn(b);
    host.idp.faults = { refresh: 'invalid_grant' };
    // The resolver reports the ended session; the caller is anonymous from then on.
    const res = await b.get('/local/feed', csrf);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'session_expired' });
    expect(await (await b.get('/local/feed', csrf)).json()).toEqual({ hello: 'guest' });
  });
});

describe('bff.handler inside a host app', () => {
  it('answers its own routes and hands everything else to the host untouched', async () => {
    const host = await startHost();
    const b = host.browser();
    const health = await b.get('/healthz');
    expect(health.status).toBe(200);
    expect(health.headers.get('content-security-policy')).not.toBeNull();

    const after = await b.get('/local/after');
    expect(await after.text()).toBe('host route after the BFF');
    // The BFF's headers are its own business: the host's pages keep theirs.
    expect(after.headers.get('content-security-policy')).toBeNull();
    expect(after.headers.get('set-cookie')).toBeNull();

    const unknown = await b.get('/something/else');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('host 404');
  });

  it('answers an unknown /auth or /api path itself, as problem+json, never reaching the host', async () => {
    const host = await startHost();
    const b = host.browser();
    for (const path of ['/auth/nope', '/api/no-route-here']) {
      const res = await b.get(path, csrf);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found' });
    }
  });
});
