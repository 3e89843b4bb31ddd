import { describe, expect, it } from 'vitest';
import type { TestBff } from '../support/bff.ts';
import { useBffAndUpstream, type Upstream } from '../support/fixture.ts';
import { expectProblem, rawExchange, rawRequest, sessionInfo, signedIn } from './helpers.ts';

// Cross-site request forgery and cross-origin reads. Already pinned elsewhere (not repeated here):
// missing/wrong X-CSRF, foreign Origin, `Origin: null`, a look-alike origin, `Sec-Fetch-Site:
// cross-site`, and a preflight to /api (test/bff/relay.test.ts); logout with a wrong or missing sid
// and logout with `Sec-Fetch-Site: cross-site` (test/bff/logout.test.ts).

let upstream: Upstream;
let bff: TestBff;
let now = Date.now();
useBffAndUpstream({ clock: () => now }, (s) => ({ bff, upstream } = s));

const ACAO = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-headers', 'access-control-allow-methods'];
const corsHeadersOf = (res: Response) => ACAO.map((h) => res.headers.get(h)).filter((v) => v !== null);

describe('/api CSRF', () => {
  it('refuses a classic cross-site form POST (text/plain body, no X-CSRF, foreign Origin)', async () => {
    const b = await signedIn(bff);
    const res = await b.request('/api/transfer', {
      method: 'POST',
      body: 'to=mallory&amount=1000',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
    });
    await expectProblem(res, 403, 'csrf');
    expect(upstream.seen).toHaveLength(0);
  });

  it('CSRF is checked before the session: a forged request whose token is stale forces no refresh and gets no Set-Cookie', async () => {
    const b = await signedIn(bff);
    now += 10 * 60_000; // the 5-minute access token is stale: a request that got past CSRF would refresh
    const forged: Record<string, string>[] = [
      {}, // no X-CSRF
      { 'x-csrf': '1', origin: 'https://evil.example' },
      { 'x-csrf': '1', 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of forged) {
      const res = await b.request('/api/transfer', { method: 'POST', body: 'x', headers });
      await expectProblem(res, 403, 'csrf');
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    expect(bff.idp.calls.tokenRefresh).toBe(0);
    expect(upstream.seen).toHaveLength(0);
    // The same session with the header is refreshed: the forged ones were refused before that point.
    expect((await b.api('/api/x')).status).toBe(200);
    expect(bff.idp.calls.tokenRefresh).toBe(1);
  });

  it('refuses X-CSRF sent twice (node joins the values into "1, 1")', async () => {
    const b = await signedIn(bff);
    const { responses } = await rawExchange(bff.url, rawRequest('GET', '/api/x', ['Host: localhost:3000', `Cookie: ${b.cookieHeader()}`, 'X-CSRF: 1', 'X-CSRF: 1']));
    expect(responses[0]!.status).toBe(403);
    expect(upstream.seen).toHaveLength(0);
  });

  it('refuses X-CSRF values that are merely truthy ("01", "1.0", "true", a full-width "１")', async () => {
    const b = await signedIn(bff);
    for (const value of ['01', '1.0', 'true', 'yes', '1;', '１']) {
      const { responses } = await rawExchange(
        bff.url,
        rawRequest('GET', '/api/x', ['Host: localhost:3000', `Cookie: ${b.cookieHeader()}`, `X-CSRF: ${Buffer.from(value, 'utf8').toString('latin1')}`]),
      );
      expect(responses[0]!.status, JSON.stringify(value)).toBe(403);
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it('refuses an Origin that differs from the app only by scheme, port, case or a trailing slash', async () => {
    const b = await signedIn(bff);
    for (const origin of ['https://localhost:3000', 'http://localhost:3001', 'http://localhost', 'http://LOCALHOST:3000', 'http://localhost:3000/', 'http://127.0.0.1:3000', 'http://localhost:3000, https://evil.example']) {
      const res = await b.api('/api/x', { method: 'POST', body: '{}', headers: { origin, 'content-type': 'application/json' } });
      expect(res.status, origin).toBe(403);
    }
    expect(upstream.seen).toHaveLength(0);
  });

  it('relays OPTIONS, PATCH and DELETE only with X-CSRF', async () => {
    const b = await signedIn(bff);
    for (const method of ['OPTIONS', 'PATCH', 'DELETE']) {
      const refused = await b.request('/api/item/1', { method, headers: { 'content-type': 'application/json' } });
      await expectProblem(refused, 403, 'csrf');
    }
    expect(upstream.seen).toHaveLength(0);
    for (const method of ['OPTIONS', 'PATCH', 'DELETE']) {
      const ok = await b.api('/api/item/1', { method });
      expect(ok.status, method).toBe(200);
    }
    expect(upstream.seen.map((s) => s.method)).toEqual(['OPTIONS', 'PATCH', 'DELETE']);
  });
});

describe('CORS', () => {
  it('a cross-origin preflight to /auth/session, /auth/logout and the SPA gets no Access-Control-Allow-*', async () => {
    const b = await signedIn(bff);
    for (const path of ['/auth/session', '/auth/logout?sid=x', '/auth/login', '/', '/index.html']) {
      const pre = await b.request(path, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-csrf' } });
      expect(corsHeadersOf(pre), path).toEqual([]);
      expect(pre.status, path).toBeGreaterThanOrEqual(400);
    }
  });

  it('an upstream that answers with permissive CORS headers still cannot be read cross-origin: the preflight never reaches it', async () => {
    upstream.respond = (_s, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': 'https://evil.example', 'access-control-allow-credentials': 'true', 'access-control-allow-headers': 'x-csrf' });
      res.end('{"secret":true}');
    };
    try {
      const b = await signedIn(bff);
      const pre = await b.request('/api/secret', { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-csrf' } });
      expect(pre.status).toBe(403);
      expect(corsHeadersOf(pre)).toEqual([]);
      // And the request a browser would send without preflight (no custom header) is refused as well.
      const simple = await b.request('/api/secret', { headers: { origin: 'https://evil.example' } });
      expect(simple.status).toBe(403);
      expect(corsHeadersOf(simple)).toEqual([]);
      expect(upstream.seen).toHaveLength(0);
    } finally {
      upstream.respond = (s, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream=1; Path=/' });
        res.end(JSON.stringify({ url: s.url, authorization: s.headers.authorization }));
      };
    }
  });

  it('/auth/session cannot be read by a cross-site embed: JSON with nosniff, CORP same-origin, no CORS grant', async () => {
    const b = await signedIn(bff);
    const res = await b.get('/auth/session', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(corsHeadersOf(res)).toEqual([]);
  });
});

describe('logout from another site', () => {
  it('refuses a foreign Origin with 403 csrf, even with the right sid, and the session stays', async () => {
    const b = await signedIn(bff);
    const { logoutUrl } = await sessionInfo(b);
    for (const origin of ['https://evil.example', 'null']) {
      const res = await b.get(logoutUrl!, { origin });
      await expectProblem(res, 403, 'csrf');
    }
    expect((await sessionInfo(b)).authenticated).toBe(true);
    expect(bff.idp.calls.revocations).toHaveLength(0);
  });

  it("refuses the attacker's own sid (a valid sid of another session) and keeps the victim's session", async () => {
    const attacker = await signedIn(bff);
    const victim = await signedIn(bff);
    const { logoutUrl } = await sessionInfo(attacker);
    const res = await victim.get(logoutUrl!);
    await expectProblem(res, 400, 'invalid_sid');
    expect((await sessionInfo(victim)).authenticated).toBe(true);
    expect((await sessionInfo(attacker)).authenticated).toBe(true);
  });

  it('refuses logout by a cross-site form POST (405) and the session stays', async () => {
    const b = await signedIn(bff);
    const { logoutUrl } = await sessionInfo(b);
    const res = await b.request(logoutUrl!, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(res.status).toBe(405);
    expect((await sessionInfo(b)).authenticated).toBe(true);
  });
});
