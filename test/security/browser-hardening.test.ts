import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { useBffAndUpstream, type Upstream } from '../support/fixture.ts';
import { createMockIdp, DEFAULT_CLIENT } from '../support/idp/index.ts';
import { rawExchange, rawRequest, signedIn } from './helpers.ts';

// Headers and answers a browser relies on: anti-framing, no sniffing, no referrer, no server
// banner, no stack trace, and a static handler that stays inside the built SPA. The same document
// headers as Chromium sees them are checked in test/e2e/app.e2e.test.ts.

const STACK = /at .+\(.+:\d+:\d+\)/;

let upstream: Upstream;
let bff: TestBff;
useBffAndUpstream({}, (s) => ({ bff, upstream } = s));

describe('documents', () => {
  it('the SPA document, on any client route, cannot be framed, sniffed or leak its URL in a Referer', async () => {
    for (const path of ['/', '/notes/42', '/login-error?error=x']) {
      const res = await bff.browser().get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(csp).toMatch(/base-uri 'none'/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    }
  });

  it('no answer reveals the server software (no X-Powered-By, no Server banner)', async () => {
    const b = await signedIn(bff);
    const answers = [await b.get('/'), await b.get('/auth/session'), await b.get('/auth/nope'), await b.api('/api/x'), await b.get('/api/x'), await b.get('/healthz'), await b.request('/auth/login', { method: 'DELETE' })];
    for (const res of answers) {
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('server')).toBeNull();
    }
  });
});

describe('the BFF\'s own answers on /api', () => {
  // Every response the BFF makes itself should carry nosniff and frame-ancestors (OWASP ASVS 5.0
  // V3.4.4, V3.4.6) and, on https, HSTS (V3.4.1). Express routes get them from setSecurityHeaders;
  // the raw /api path and the 414 answer (bff/app.ts `handle`) do not.
  it('its problem+json answers (403, 401, 400, 405, 414) carry nosniff and CSP frame-ancestors like every other BFF answer', async () => {
    const b = await signedIn(bff);
    const answers = [
      await b.request('/api/x'), // 403 csrf
      await bff.browser().api('/api/x'), // 401
      await b.api('/api/a%2fb'), // 400 bad_path (fetch would resolve %2e%2e itself)
      await b.api('/api/x', { method: 'TRACE' }).catch(() => undefined), // 405 (fetch may refuse TRACE)
      await b.api(`/api/${'a'.repeat(9000)}`), // 414
    ].filter((r): r is Response => r !== undefined);
    expect(answers.length).toBeGreaterThanOrEqual(4);
    for (const res of answers) {
      expect(res.headers.get('content-type'), String(res.status)).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('x-content-type-options'), `${res.status} on /api`).toBe('nosniff');
      expect(res.headers.get('content-security-policy') ?? '(none)', `${res.status} on /api`).toMatch(/frame-ancestors 'none'/);
    }
  });

  it('on https, its answers carry Strict-Transport-Security like every other BFF answer', async () => {
    const origin = 'https://app.example.test';
    const idp = await createMockIdp({ clients: [{ ...DEFAULT_CLIENT, redirect_uris: [`${origin}/auth/callback`], post_logout_redirect_uris: [`${origin}/`] }] });
    const secure = await startTestBff({ idp, env: { BFF_PUBLIC_URL: origin, API_UPSTREAM_URL: upstream.url } });
    try {
      const b = secure.browser();
      expect((await b.get('/auth/session')).headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      for (const res of [await b.request('/api/x'), await b.api('/api/x'), await b.api(`/api/${'a'.repeat(9000)}`)]) {
        expect(res.headers.get('strict-transport-security') ?? '(none)', `${res.status} on /api`).toMatch(/max-age=\d+/);
      }
    } finally {
      await secure.close();
    }
  });
});

describe('the static handler', () => {
  const name = `bff-secret-${randomBytes(6).toString('hex')}`;
  const secret = `TOP-SECRET-${randomBytes(8).toString('hex')}`;
  // startTestBff serves an empty folder made under the OS temp dir: a file next to it is "outside the SPA".
  beforeAll(() => {
    writeFileSync(join(tmpdir(), `${name}.txt`), secret);
    mkdirSync(join(tmpdir(), name), { recursive: true });
    writeFileSync(join(tmpdir(), name, 'index.html'), secret);
  });
  afterAll(() => {
    rmSync(join(tmpdir(), `${name}.txt`), { force: true });
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  });

  it('never serves a file outside the built SPA, whatever the traversal encoding', async () => {
    const targets = [
      `/../${name}.txt`,
      `/%2e%2e/${name}.txt`,
      `/..%2f${name}.txt`,
      `/..%5c${name}.txt`,
      `/..\\${name}.txt`,
      `/%2e%2e%2f${name}.txt`,
      `/assets/../../${name}.txt`,
      `/%252e%252e/${name}.txt`,
      `/../${name}/index.html`,
      `/..%00/${name}.txt`,
    ];
    for (const target of targets) {
      const { responses, text } = await rawExchange(bff.url, rawRequest('GET', target, ['Host: localhost:3000']));
      expect(responses[0]?.status ?? 400, target).toBeLessThan(500);
      expect(text, target).not.toContain(secret);
    }
  });

  it('answers malformed paths without a 5xx or a stack trace', async () => {
    for (const target of ['/%E0%A4%A', '/auth/%zz', '/assets/%00.js', '/%', '/auth/session/%ff', '/' + '%c0%af'.repeat(50)]) {
      const { responses } = await rawExchange(bff.url, rawRequest('GET', target, ['Host: localhost:3000']));
      const r = responses[0]!;
      expect(r.status, target).toBeLessThan(500);
      expect(r.body, target).not.toMatch(STACK);
      expect(r.body, target).not.toContain('node_modules');
    }
  });
});
