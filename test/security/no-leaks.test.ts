import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.ts';
import { startTestBff, TEST_SECRET, type TestBff } from '../support/bff.ts';
import { startUpstream } from '../support/upstream.ts';
import { DEFAULT_CLIENT } from '../support/idp/index.ts';
import { rewriteTokenResponses } from './helpers.ts';

// A whole life of a session with everything that can go wrong along the way, logs at debug level,
// and every answer the browser got kept: no token, client secret, session secret or session cookie
// value may show up where it does not belong, and no error may show its internals.

interface Seen {
  what: string;
  status: number;
  headers: Array<[string, string]>;
  setCookies: string[];
  body: string;
}

/** The test browser, keeping every response it receives (headers, Set-Cookie lines, body). */
class RecordingBrowser extends Browser {
  constructor(base: string, readonly seen: Seen[]) {
    super(base);
  }

  override async request(path: string, init: Parameters<Browser['request']>[1] = {}): Promise<Response> {
    const res = await super.request(path, init);
    const body = await res.clone().text();
    this.seen.push({
      what: `${init.method ?? 'GET'} ${path.slice(0, 80)} → ${res.status}`,
      status: res.status,
      headers: [...res.headers].filter(([name]) => name !== 'set-cookie'),
      setCookies: res.headers.getSetCookie(),
      body,
    });
    return res;
  }
}

const STACK = /at .+\(.+:\d+:\d+\)/;
const MIN = 60_000;

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let bff: TestBff;
let now = Date.now();
const seen: Seen[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
  bff = await startTestBff({ clock: () => now, env: { API_UPSTREAM_URL: `${upstream.url}/internal/v1`, API_UPSTREAM_TIMEOUT_MS: '300', LOG_LEVEL: 'debug' } });
});
afterAll(async () => {
  await bff.close();
  await upstream.close();
});

/** What the upstream answers: never an echo of the token (that would be the API leaking, not the BFF). */
function normalUpstream(): void {
  upstream.respond = (s, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream-session=u1; Path=/' });
    res.end(JSON.stringify({ path: s.url.replace(/^\/internal\/v1/, ''), ok: true }));
  };
}

async function signIn(b: Browser, returnTo = '/notes'): Promise<Response> {
  const callback = await bff.startLogin(b, returnTo);
  return b.get(callback.pathname + callback.search);
}

describe('nothing leaks', () => {
  it('through a whole session life: sign-in failures, sign-in, session, relay, refresh, provider and upstream failures, a rejected refresh, logout', async () => {
    normalUpstream();
    const idp = bff.idp;
    const b = new RecordingBrowser(bff.url, seen);

    // Anonymous, then sign-in attempts that fail in every way the provider can make them fail.
    await b.get('/auth/session');
    await b.api('/api/me');
    idp.faults.idToken = 'bad_signature';
    await signIn(b);
    idp.faults.idToken = 'wrong_nonce';
    await signIn(b);
    idp.faults.idToken = undefined;
    idp.faults.token = 'network';
    await signIn(b);
    idp.faults.token = 'server_error';
    await signIn(b);
    idp.faults.token = undefined;
    idp.faults.authorize = { error: 'access_denied', error_description: 'The user said no' };
    await signIn(b);
    idp.faults.authorize = undefined;
    // A token response in a shape the client library refuses (the tokens end up in the error's cause).
    const undoOdd = rewriteTokenResponses(idp, (body) => ({ ...body, token_type: 'N_A' }));
    await signIn(b);
    undoOdd();

    // A real sign-in, the session, the relay.
    expect((await signIn(b)).headers.get('location')).toBe('/notes');
    expect((await b.get('/auth/session')).status).toBe(200);
    expect((await b.api('/api/me')).status).toBe(200);
    expect((await b.api('/api/notes', { method: 'POST', body: '{"text":"hi"}', headers: { 'content-type': 'application/json', authorization: 'Bearer client-chosen' } })).status).toBe(200);
    await b.request('/api/me'); // no X-CSRF
    await b.api('/api/a%2fb'); // 400 bad_path

    // Refresh on expiry; the provider failing on refresh; recovery.
    now += 10 * MIN;
    expect((await b.api('/api/after-refresh')).status).toBe(200);
    now += 10 * MIN;
    idp.faults.refresh = 'server_error';
    expect((await b.api('/api/provider-500')).status).toBe(503);
    idp.faults.refresh = 'network';
    expect((await b.api('/api/provider-down')).status).toBe(503);
    idp.faults.refresh = undefined;
    expect((await b.api('/api/recovered')).status).toBe(200);

    // The upstream failing: reset, too slow, its own 500 with an error body.
    upstream.respond = (_s, res) => res.socket!.destroy();
    expect((await b.api('/api/reset')).status).toBe(502);
    upstream.respond = () => undefined; // never answers
    expect((await b.api('/api/slow')).status).toBe(504);
    upstream.respond = (_s, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"api_failure"}');
    };
    expect((await b.api('/api/api-500')).status).toBe(500);
    normalUpstream();

    // A refresh the provider answers in a shape the client refuses (tokens in the error's cause):
    // not a bearer token, so the session ends and the grant is revoked …
    now += 10 * MIN;
    const beforeOdd = b.cookieHeader();
    const undoBroken = rewriteTokenResponses(idp, (body, grant) => (grant === 'refresh_token' ? { ...body, token_type: 'N_A' } : body));
    expect((await b.api('/api/odd-refresh')).status).toBe(401);
    undoBroken();
    // … and stays ended for a copy of the cookie.
    const rejected = await b.api('/api/rejected', { headers: { cookie: beforeOdd } });
    expect(rejected.status).toBe(401);

    // Sign in again and log out (revocation, end-session), then the old cookie.
    await signIn(b, '/');
    const { logoutUrl } = (await (await b.get('/auth/session')).json()) as { logoutUrl: string };
    await b.get('/auth/logout?sid=wrong');
    const copy = b.cookieHeader();
    expect((await b.get(logoutUrl)).status).toBe(302);
    await b.api('/api/after-logout', { headers: { cookie: copy } });
    await b.get('/auth/session');

    expect(idp.calls.revocations.length).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(30);
    expect(bff.logs.length).toBeGreaterThan(15);
    expect(bff.issuedTokens.length).toBeGreaterThan(10);
  });

  it('no token, client secret, session secret or session cookie value appears in any log line', () => {
    const secrets = secretsOf();
    const text = bff.logs.join('');
    for (const [what, value] of secrets) expect(text.includes(value), `${what} in the logs`).toBe(false);
    // The logs did record the failures (so the check above looked at something).
    expect(text).toMatch(/login_failed/);
    expect(text).toMatch(/"event":"(error|refused)"/);
  });

  it('sign-ins, failed sign-ins, logouts and refused requests are logged, with the user\'s sub and never a token', () => {
    const records = bff.logs.map((l) => JSON.parse(l) as { level: number; event?: string; sub?: string; code?: string });
    expect(records.filter((r) => r.event === 'login' && r.sub === 'alice').length).toBeGreaterThanOrEqual(2);
    expect(records.filter((r) => r.event === 'logout' && r.sub === 'alice')).toHaveLength(1);
    expect(records.filter((r) => r.event === 'login_failed' && r.level >= 40).length).toBeGreaterThanOrEqual(4);
    // Refusals (CSRF, no session, ended session) are logged at debug level only.
    const refused = records.filter((r) => r.event === 'refused');
    expect(new Set(refused.map((r) => r.code))).toEqual(new Set(['unauthenticated', 'csrf', 'bad_path', 'session_expired', 'invalid_sid']));
    expect(refused.every((r) => r.level === 20)).toBe(true);
  });

  it('no token or secret appears in any response body or header the browser received; cookie values only in Set-Cookie', () => {
    const secrets = secretsOf();
    for (const s of seen) {
      for (const [what, value] of secrets) {
        expect(s.body.includes(value), `${what} in the body of ${s.what}`).toBe(false);
        for (const [name, v] of s.headers) expect(v.includes(value), `${what} in ${name} of ${s.what}`).toBe(false);
      }
      for (const [what, value] of secrets.filter(([w]) => !w.startsWith('cookie'))) {
        for (const line of s.setCookies) expect(line.includes(value), `${what} in Set-Cookie of ${s.what}`).toBe(false);
      }
    }
  });

  it('no response body carries a stack trace, node_modules, or the upstream\'s or provider\'s internal addresses', () => {
    const upstreamHost = new URL(upstream.url).host;
    const provider = new URL(bff.idp.issuer);
    for (const s of seen) {
      expect(s.body, s.what).not.toMatch(STACK);
      expect(s.body, s.what).not.toContain('node_modules');
      expect(s.body, s.what).not.toContain(upstreamHost);
      expect(s.body, s.what).not.toContain('/internal/v1');
      for (const [name, v] of s.headers) expect(v.includes(upstreamHost), `${name} of ${s.what}`).toBe(false);
      // The provider's host is public (the browser is sent there), so it may appear, but only in a
      // redirect to its authorization or end-session endpoint (Express repeats the Location in the body).
      if (s.body.includes(provider.host)) {
        expect(s.status, s.what).toBe(302);
        const to = s.headers.find(([n]) => n === 'location')?.[1] ?? '';
        expect([`${provider.origin}/authorize`, `${provider.origin}/end-session`]).toContain(to.split('?')[0]);
      }
      for (const endpoint of ['/token', '/jwks', '/revoke', '/userinfo']) expect(s.body, s.what).not.toContain(provider.origin + endpoint);
    }
    // The failures answered with problem+json were generic: no library error text.
    const problems = seen.filter((s) => s.headers.some(([n, v]) => n === 'content-type' && v.startsWith('application/problem+json')));
    expect(problems.length).toBeGreaterThan(5);
    for (const p of problems) expect(p.body, p.what).not.toMatch(/ECONN|socket hang up|fetch failed|OAUTH_|oauth4webapi|openid-client|TypeError|undefined/);
  });

  it('a log-injection attempt (CR/LF and a fake JSON record in provider-controlled text) stays one JSON line', async () => {
    const before = bff.logs.length;
    const b = bff.browser();
    const callback = await bff.startLogin(b);
    const evil = 'x\n{"level":30,"event":"login","sub":"admin"}\r\n';
    const q = new URLSearchParams({ error: evil, error_description: evil, state: callback.searchParams.get('state')!, iss: bff.idp.issuer });
    expect((await b.get(`/auth/callback?${q}`)).status).toBe(302);
    const lines = bff.logs.slice(before).join('').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(record.event === 'login' && record.sub === 'admin').toBe(false);
    }
  });
});

/** Every value that must stay secret, named for the failure message. */
function secretsOf(): Array<[string, string]> {
  const cookieValues = new Set<string>();
  for (const s of seen) {
    for (const line of s.setCookies) {
      const [pair] = line.split(';');
      const value = pair!.slice(pair!.indexOf('=') + 1);
      if (value.length > 20) cookieValues.add(value);
    }
  }
  expect(cookieValues.size).toBeGreaterThan(3);
  return [
    ...bff.issuedTokens.map((t, i): [string, string] => [`issued token #${i} (${t.slice(0, 3)}…)`, t]),
    // The JWT's signature alone is as good as a fingerprint of the ID token.
    ...bff.issuedTokens.filter((t) => t.split('.').length === 3).map((t, i): [string, string] => [`ID token signature #${i}`, t.split('.')[2]!]),
    ['the client secret', DEFAULT_CLIENT.client_secret],
    ['the session secret', TEST_SECRET],
    ...[...cookieValues].map((v, i): [string, string] => [`cookie value #${i}`, v]),
  ];
}
