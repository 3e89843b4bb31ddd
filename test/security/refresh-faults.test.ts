import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { http, HttpResponse } from 'msw';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { useBffAndUpstream, type Upstream } from '../support/fixture.ts';
import type { Browser } from '../support/browser.ts';
import { expectProblem, hasSessionCookie, rewriteTokenResponses, sessionInfo, signedIn, waitFor } from './helpers.ts';

// Refresh races and what the BFF does when the provider or the upstream misbehaves. Pinned
// elsewhere: one refresh for a burst of 40 and a pre-rotation straggler (counts only), a rejected
// refresh, and an unreachable provider (network, 500) keeping the session (test/bff/relay.test.ts);
// upstream refused/reset/timeout at the forwarder (test/bff/relay-core.test.ts).

const MIN = 60_000;
let upstream: Upstream;
let bff: TestBff;
let now = Date.now();

// 1.5 s: short enough for the slow-upstream test, long enough that a loaded machine (mutation runs) never times out a normal call.
useBffAndUpstream({ clock: () => now, env: { API_UPSTREAM_TIMEOUT_MS: '1500' } }, (s) => ({ bff, upstream } = s));
beforeEach(() => {
  upstream.respond = (s, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: s.url, authorization: s.headers.authorization }));
  };
});

const refreshTokens = () => bff.issuedTokens.filter((t) => t.startsWith('rt_'));
const authOf = async (res: Response) => ((await res.json()) as { authorization: string }).authorization;

/** Puts `answer` in front of the provider's token endpoint for refresh grants (the real one never sees them). */
function failRefreshes(answer: () => Response): () => void {
  const handler = http.post(`${bff.idp.issuer}/token`, async ({ request }) => {
    const form = new URLSearchParams(await request.clone().text());
    if (form.get('grant_type') !== 'refresh_token') return undefined;
    bff.idp.calls.tokenRefresh += 1;
    return answer();
  });
  bff.idp.handlers.unshift(handler);
  return () => void bff.idp.handlers.splice(bff.idp.handlers.indexOf(handler), 1);
}

describe('refresh races', () => {
  it('a burst after expiry plus pre-rotation stragglers rotate the refresh token once and never replay it: the grant survives', async () => {
    const b = await signedIn(bff);
    const original = refreshTokens().at(-1)!;
    const oldCookie = b.cookieHeader();
    now += 10 * MIN;
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => b.api(`/api/burst/${i}`)));
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(bff.idp.calls.tokenRefresh).toBe(1);
    const successor = refreshTokens().at(-1)!;
    expect(successor).not.toBe(original);
    // Stragglers that left the browser before the new cookie arrived, 10 of them at once.
    const stragglers = await Promise.all(Array.from({ length: 10 }, () => b.api('/api/late', { headers: { cookie: oldCookie } })));
    expect(stragglers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(await Promise.all([...burst, ...stragglers].map(authOf))).size).toBe(1);
    expect(bff.idp.calls.tokenRefresh).toBe(1);
    // The provider never saw the rotated token again: no reuse detection, the grant is intact.
    expect(bff.idp.isRefreshTokenActive(original)).toBe(false);
    expect(bff.idp.isRefreshTokenActive(successor)).toBe(true);
    now += 10 * MIN;
    expect((await b.api('/api/later')).status).toBe(200);
    expect(bff.idp.calls.tokenRefresh).toBe(2);
    expect(bff.idp.isRefreshTokenActive(refreshTokens().at(-1)!)).toBe(true);
  });

  it('a burst while the provider is down (failing after 200 ms) makes one attempt, answers 503 to all, and the retry after recovery works', async () => {
    const b = await signedIn(bff);
    now += 10 * MIN;
    bff.idp.faults.refresh = 'server_error';
    bff.idp.faults.slowMs = 200;
    const down = await Promise.all(Array.from({ length: 10 }, () => b.api('/api/down')));
    for (const res of down) await expectProblem(res, 503, 'provider_unavailable');
    expect(bff.idp.calls.tokenRefresh).toBe(1);
    expect(upstream.seen).toHaveLength(0);
    bff.idp.faults = {};
    expect((await b.api('/api/up')).status).toBe(200);
    expect(bff.idp.calls.tokenRefresh).toBe(2);
  });
});

describe('provider faults', () => {
  it('a provider behind a proxy answering 502 with an HTML page: 503 provider_unavailable, session kept', async () => {
    const b = await signedIn(bff);
    now += 10 * MIN;
    const undo = failRefreshes(() => new HttpResponse('<html><body><h1>502 Bad Gateway</h1>nginx</body></html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    try {
      const res = await b.api('/api/x');
      await expectProblem(res, 503, 'provider_unavailable');
      expect(res.headers.get('set-cookie')).toBeNull();
    } finally {
      undo();
    }
    expect((await b.api('/api/x')).status).toBe(200);
  });

  it('a provider slower than usual (300 ms) still completes sign-in and a single refresh', async () => {
    bff.idp.faults.slowMs = 300;
    const b = await signedIn(bff);
    now += 10 * MIN;
    const results = await Promise.all(Array.from({ length: 5 }, () => b.api('/api/slow-provider')));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(bff.idp.calls.tokenRefresh).toBe(1);
  });

  it('a refresh answered with a forged ID token is not used: 503, and its access token never reaches the upstream', async () => {
    const b = await signedIn(bff);
    now += 10 * MIN;
    const before = bff.issuedTokens.length;
    bff.idp.faults.idToken = 'bad_signature';
    const res = await b.api('/api/x');
    await expectProblem(res, 503, 'provider_unavailable');
    const forgedResponseTokens = bff.issuedTokens.slice(before);
    expect(forgedResponseTokens.length).toBeGreaterThan(0);
    expect(upstream.seen).toHaveLength(0);
    for (const token of forgedResponseTokens) expect(JSON.stringify(upstream.seen)).not.toContain(token);
  });
});

describe('a refresh answer that does not fit the session', () => {
  /** The refresh must end the session: 401 session_expired, cookie cleared, nothing relayed, the copy refused too. */
  async function expectSessionEnded(b: Browser, copy: string): Promise<void> {
    const res = await b.api('/api/x');
    await expectProblem(res, 401, 'session_expired');
    expect(b.lastSetCookies.some((l) => /^bff-session=;.*Max-Age=0/.test(l))).toBe(true);
    expect(hasSessionCookie(b)).toBe(false);
    expect(upstream.seen).toHaveLength(0);
    const straggler = bff.browser();
    await expectProblem(await straggler.api('/api/x', { headers: { cookie: copy } }), 401, 'session_expired');
    expect((await sessionInfo(straggler, copy)).authenticated).toBe(false);
  }

  it("a refresh can switch the user: an ID token for another sub ends the session and the refresh token is revoked", async () => {
    const b = await signedIn(bff);
    const copy = b.cookieHeader();
    now += 10 * MIN;
    bff.idp.faults.idTokenUser = { sub: 'bob', name: 'Bob Example' };
    const before = bff.issuedTokens.length;
    await expectSessionEnded(b, copy);
    expect(bff.idp.calls.tokenRefresh).toBe(1);
    // The answer's refresh token (rotated in) is revoked, taking the whole grant with it.
    const answered = bff.issuedTokens.slice(before).find((t) => t.startsWith('rt_'))!;
    expect(bff.idp.calls.revocations).toEqual([{ token: answered, token_type_hint: 'refresh_token' }]);
    expect(bff.idp.isRefreshTokenActive(answered)).toBe(false);
    for (const token of bff.issuedTokens.slice(before)) expect(JSON.stringify(upstream.seen)).not.toContain(token);
  });

  it('a refresh ID token for the same sub (with edited profile claims) keeps the session', async () => {
    const b = await signedIn(bff);
    now += 10 * MIN;
    bff.idp.faults.idTokenUser = { sub: 'alice', name: 'Alice Renamed' };
    expect((await b.api('/api/x')).status).toBe(200);
    expect(bff.idp.calls.revocations).toEqual([]);
  });

  it('a non-rotating provider switching the user: the unchanged refresh token is the one revoked', async () => {
    bff.idp.settings.rotateRefreshTokens = false;
    const b = await signedIn(bff);
    const copy = b.cookieHeader();
    const rt = refreshTokens().at(-1)!;
    now += 10 * MIN;
    bff.idp.faults.idTokenUser = { sub: 'bob' };
    await expectSessionEnded(b, copy);
    expect(bff.idp.calls.revocations).toEqual([{ token: rt, token_type_hint: 'refresh_token' }]);
    expect(bff.idp.isRefreshTokenActive(rt)).toBe(false);
  });

  for (const tokenType of ['DPoP', 'dpop', 'MAC']) {
    it(`token_type ${tokenType} at refresh (only Bearer is supported): the session ends, 401 session_expired, nothing relayed`, async () => {
      const b = await signedIn(bff);
      const copy = b.cookieHeader();
      now += 10 * MIN;
      const undo = rewriteTokenResponses(bff.idp, (body, grant) => (grant === 'refresh_token' ? { ...body, token_type: tokenType } : body));
      try {
        await expectSessionEnded(b, copy);
        expect(bff.idp.calls.revocations).toHaveLength(1);
      } finally {
        undo();
      }
    });
  }

  it('token_type is case-insensitive: BEARER and bearer at refresh are relayed as Bearer', async () => {
    const b = await signedIn(bff);
    for (const tokenType of ['BEARER', 'bearer']) {
      now += 10 * MIN;
      const undo = rewriteTokenResponses(bff.idp, (body) => ({ ...body, token_type: tokenType }));
      try {
        const res = await b.api('/api/x');
        expect(res.status).toBe(200);
        expect(await authOf(res)).toMatch(/^Bearer at_/);
      } finally {
        undo();
      }
    }
  });
});

describe('upstream faults', () => {
  let b: Browser;
  beforeAll(async () => {
    bff.idp.reset(); // the previous describe's last test left a fault on
    b = await signedIn(bff);
  });

  it('an upstream slower than API_UPSTREAM_TIMEOUT_MS: 504 upstream_timeout, and the upstream request is aborted', async () => {
    let aborted = false;
    upstream.respond = (_s, res) => {
      res.on('close', () => (aborted = !res.writableEnded));
    };
    const started = Date.now();
    const res = await b.api('/api/slow');
    await expectProblem(res, 504, 'upstream_timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitFor(() => aborted);
  });

  it('an upstream that resets the connection: 502 upstream_unavailable, with no internal address in the answer', async () => {
    upstream.respond = (_s, res) => res.socket!.destroy();
    const res = await b.api('/api/reset');
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'upstream_unavailable' });
    expect(text).not.toContain(new URL(upstream.url).host);
    expect(text).not.toMatch(/ECONNRESET|socket hang up|127\.0\.0\.1/);
  });

  it('an upstream that is down: 502 upstream_unavailable, with no internal address in the answer', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const down = await startTestBff({ idp: bff.idp, env: { API_UPSTREAM_URL: `http://127.0.0.1:${port}/internal-api` } });
    try {
      const c = await signedIn(down);
      const res = await c.api('/api/x');
      expect(res.status).toBe(502);
      const text = await res.text();
      expect(JSON.parse(text)).toMatchObject({ code: 'upstream_unavailable' });
      expect(text).not.toMatch(new RegExp(`${port}|ECONNREFUSED|internal-api|127\\.0\\.0\\.1`));
    } finally {
      await down.close();
    }
  });
});
