import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../bff/config.ts';
import { loggablePath, withAccessLog } from '../../bff/http/access-log.ts';
import { createLogger, resolveLogFormat } from '../../bff/log.ts';
import { startupBanner, startupSummary } from '../../bff/banner.ts';
import { startTestBff, TEST_SECRET } from '../support/bff.ts';

// What the BFF tells an operator: a start-up banner with what to register at the provider, logs
// a person can read at a terminal, and one access-log line per request that leaks nothing.

const CLIENT_SECRET = 'client-secret-value-0123456789abcdef';

describe('the access log (LOG_LEVEL=debug)', () => {
  it('logs method, path, status and duration per request, with no query secret, cookie or token', async () => {
    const bff = await startTestBff();
    try {
      const b = bff.browser();
      expect((await bff.signIn(b, '/notes?page=2')).status).toBe(302);
      await b.api('/api/whatever?token=APP-QUERY-TOKEN&x=1', { headers: { authorization: 'Bearer CLIENT-SENT-TOKEN' } });
      const session = (await (await b.get('/auth/session')).json()) as { logoutUrl: string };
      const sid = new URL(session.logoutUrl, bff.url).searchParams.get('sid')!;
      await b.get('/auth/callback?code=STOLEN-CODE&state=STOLEN-STATE&session_state=SS-VALUE');
      await b.get(session.logoutUrl);

      const requests = () => bff.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'request');
      await expect.poll(() => requests().some((r) => String(r.path).startsWith('/auth/logout')), { timeout: 10_000 }).toBe(true);
      const lines = requests();
      const callback = lines.find((r) => String(r.path).includes('STOLEN') || String(r.path).startsWith('/auth/callback?code=[redacted]&state=[redacted]&session'));
      expect(callback).toMatchObject({ method: 'GET', path: '/auth/callback?code=[redacted]&state=[redacted]&session_state=[redacted]', status: 302, level: 20 });
      expect(typeof callback!.ms).toBe('number');
      expect(lines.find((r) => String(r.path).startsWith('/auth/login'))).toMatchObject({ path: '/auth/login?returnTo=%2Fnotes%3Fpage%3D2', status: 302 });
      expect(lines.find((r) => String(r.path).startsWith('/api/whatever'))).toMatchObject({ path: '/api/whatever?token=[redacted]&x=[redacted]' });
      expect(lines.find((r) => String(r.path).startsWith('/auth/logout'))).toMatchObject({ path: '/auth/logout?sid=[redacted]' });

      const all = bff.logs.join('');
      for (const secret of ['STOLEN-CODE', 'STOLEN-STATE', 'SS-VALUE', 'APP-QUERY-TOKEN', 'CLIENT-SENT-TOKEN', sid, ...b.jar.values(), ...bff.issuedTokens]) {
        expect(all, `log holds ${secret.slice(0, 12)}…`).not.toContain(secret);
      }
    } finally {
      await bff.close();
    }
  });

  it('writes nothing per request at info', async () => {
    const quiet: string[] = [];
    const server = createServer(withAccessLog(createLogger('info', { write: (l: string) => void quiet.push(l) }), (_req, res) => res.end('ok'))).listen(0, '127.0.0.1');
    await once(server, 'listening');
    await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x?code=1`)).text();
    await new Promise((r) => server.close(r));
    expect(quiet).toEqual([]);
  });

  it('keeps harmless query values and redacts every other one', () => {
    expect(loggablePath('/auth/login?returnTo=%2Fa&prompt=login')).toBe('/auth/login?returnTo=%2Fa&prompt=login');
    expect(loggablePath('/login-error?error=access_denied&hint=x')).toBe('/login-error?error=access_denied&hint=[redacted]');
    expect(loggablePath('/auth/callback?code=abc&iss=https%3A%2F%2Fidp')).toBe('/auth/callback?code=[redacted]&iss=https%3A%2F%2Fidp');
    expect(loggablePath('/plain/path')).toBe('/plain/path');
  });
});

describe('log format', () => {
  it('is pretty on a terminal and JSON otherwise; LOG_FORMAT forces either', () => {
    expect(resolveLogFormat(undefined, { isTTY: true })).toBe('pretty');
    expect(resolveLogFormat(undefined, { isTTY: false })).toBe('json');
    expect(resolveLogFormat(undefined, {})).toBe('json');
    expect(resolveLogFormat('json', { isTTY: true })).toBe('json');
    expect(resolveLogFormat('pretty', { isTTY: false })).toBe('pretty');
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example.test', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b', SESSION_SECRET: TEST_SECRET, LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT: must be json or pretty/);
  });

  it('pretty lines are readable (time, level, event, key=value, cause and fix on their own lines) and still redacted', () => {
    const out: string[] = [];
    const log = createLogger('debug', { write: (l: string) => void out.push(l) }, 'pretty');
    log.warn({ event: 'provider_not_ready', provider: 'default', cause: 'Nothing listens.', fix: 'Start it.' });
    log.info({ event: 'request', headers: { authorization: 'Bearer SECRET-AT', cookie: 'bff-session=SEALED' }, access_token: 'AT-1' });
    const text = out.join('');
    expect(text).toMatch(/^\d\d:\d\d:\d\d WARN {2}provider_not_ready {2}provider=default\n {4}cause: Nothing listens\.\n {4}fix: {3}Start it\.\n/);
    expect(text).toMatch(/\d\d:\d\d:\d\d INFO {2}request /);
    expect(text).not.toMatch(/SECRET-AT|SEALED|AT-1|"level"/);
  });
});

describe('the start-up banner', () => {
  const config = loadConfig({
    PORT: '0',
    BFF_PUBLIC_URL: 'https://app.example.com',
    OIDC_ISSUER: 'https://login.example.com/realms/acme',
    OIDC_CLIENT_ID: 'acme-app',
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    SESSION_SECRET: `${TEST_SECRET},older-secret-0123456789-abcdefghijkl`,
    API_UPSTREAM_URL: 'https://api.example.com/v1',
    REDIS_URL: 'rediss://:redis-password-never-shown@redis.internal:6380/2',
  });
  const summary = startupSummary(config, 'http://127.0.0.1:4000');
  const banner = startupBanner(summary);

  it('lists the app URL, the URLs to register, the provider and the API route', () => {
    expect(banner).toContain('BFF ready: https://app.example.com');
    expect(banner).toContain('redirect (callback) URI   https://app.example.com/auth/callback');
    expect(banner).toContain('post-logout redirect URI  https://app.example.com/');
    expect(banner).toContain('Provider "default"  https://login.example.com/realms/acme  client acme-app (client_secret_basic)');
    expect(banner).toContain('API route  /api/*  ->  https://api.example.com/v1  (token: user)');
    expect(banner).toContain('SPA        the built-in SPA (dist/spa)');
    expect(banner).toContain('back-channel logout URI   https://app.example.com/auth/backchannel-logout');
    expect(banner).toContain('Store      redis rediss://redis.internal:6380/2');
    expect(summary).toMatchObject({ callbackUrl: 'https://app.example.com/auth/callback', providers: [{ name: 'default', clientId: 'acme-app' }] });
  });

  it('captures no secret: client secret, session secrets, credentials or keys in the upstream URL', () => {
    for (const text of [banner, JSON.stringify(summary)]) {
      for (const secret of [CLIENT_SECRET, TEST_SECRET, 'older-secret', 'redis-password-never-shown']) expect(text).not.toContain(secret);
    }
  });
});

describe('the start-up banner with a configuration file', () => {
  const KEY = 'subscription-key-never-shown-0123456789';
  const config = loadConfig(
    { PORT: '0', SESSION_SECRET: TEST_SECRET, BFF_STATIC_DIR: 'none' },
    {
      file: {
        providers: {
          default: { issuer: 'https://login.example.com', clientId: 'app', clientSecret: CLIENT_SECRET },
          partner: { issuer: 'https://idp.partner.example', clientId: 'app2', clientSecret: `${CLIENT_SECRET}-partner`, clientAuth: 'client_secret_post' },
        },
        apis: [
          { path: '/api/notes', upstream: 'http://notes.internal:8080/v1', headers: { 'x-subscription-key': KEY } },
          { path: '/api/catalog', upstream: 'http://catalog.internal', token: 'client' },
        ],
      },
    },
  );
  const summary = startupSummary(config, 'http://127.0.0.1:4000');
  const banner = startupBanner(summary);

  it('lists every provider and every route with its token kind, and says no SPA is served', () => {
    expect(banner).toContain('Provider "default"  https://login.example.com/');
    expect(banner).toContain('Provider "partner"  https://idp.partner.example/  client app2 (client_secret_post)');
    expect(banner).toContain('API route  /api/notes/*  ->  http://notes.internal:8080/v1  (token: user)');
    expect(banner).toContain('API route  /api/catalog/*  ->  http://catalog.internal/  (token: client)');
    expect(banner).toContain('SPA        none (API only)');
    expect(banner).toContain('Store      memory (this process only');
  });

  it("never shows a route's static header values or any client secret", () => {
    for (const text of [banner, JSON.stringify(summary)]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(CLIENT_SECRET);
    }
  });
});

