import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sealData } from 'iron-session';
import { startTestBff, TEST_SECRET, type TestBff } from '../support/bff.ts';
import { useBffAndUpstream, type Upstream } from '../support/fixture.ts';
import { createMockIdp, DEFAULT_CLIENT, DEFAULT_USER, type MockIdp } from '../support/idp/index.ts';
import type { Browser } from '../support/browser.ts';
import { expectProblem, hasSessionCookie, rawExchange, rawRequest, sessionInfo, signedIn } from './helpers.ts';

// Attacks on the session cookie, seen from /api (the relay must never act on a cookie it did not
// seal) and from the edges of the cookie format. The /auth/session view of tamper, truncation,
// foreign secret and rotation is in test/bff/session-cookie.test.ts.

let upstream: Upstream;
let idp: MockIdp;
let bff: TestBff;

useBffAndUpstream({}, (s) => ({ bff, upstream, idp } = { ...s, idp: s.bff.idp }));

/** /api with a hand-made Cookie header: must be 401 session_expired, clear the cookie, relay nothing. */
async function expectRefusedOnApi(b: Browser, cookie: string): Promise<void> {
  const res = await b.api('/api/me', { headers: { cookie } });
  await expectProblem(res, 401, 'session_expired');
  expect(b.lastSetCookies.some((l) => /^bff-session=;.*Max-Age=0/.test(l))).toBe(true);
  expect(upstream.seen).toHaveLength(0);
}

describe('a forged or damaged session cookie on /api', () => {
  it('refuses a tampered cookie (one character flipped): 401 session_expired, cleared, nothing relayed', async () => {
    const b = await signedIn(bff);
    const value = b.jar.get('bff-session')!;
    const i = Math.floor(value.length / 2);
    await expectRefusedOnApi(b, `bff-session=${value.slice(0, i)}${value[i] === 'A' ? 'B' : 'A'}${value.slice(i + 1)}`);
  });

  it('refuses a truncated cookie (a lost chunk, a cut-off value)', async () => {
    const b = await signedIn(bff);
    const value = b.jar.get('bff-session')!;
    await expectRefusedOnApi(b, `bff-session=${value.slice(0, -1)}`);
    await expectRefusedOnApi(b, `bff-session=${value.slice(0, value.indexOf('*', 10))}`);
  });

  it('refuses a well-formed session for another user sealed with a foreign secret', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await sealData(
      { v: 1, sid: 'forged', iss: idp.issuer, user: { sub: 'admin' }, at: 'at_forged', atExp: now + 300, createdAt: now, seenAt: now },
      { password: { 1: 'attacker-secret-0123456789abcdefghijklmnop' }, ttl: 3600 },
    );
    await expectRefusedOnApi(bff.browser(), `bff-session=${forged}`);
  });

  it('refuses a cookie sealed with a secret that was rotated out (old secret dropped from SESSION_SECRET)', async () => {
    const old = await startTestBff({ idp, env: { API_UPSTREAM_URL: upstream.url, SESSION_SECRET: 'retired-secret-0123456789-abcdefghijklmn' } });
    try {
      const b = await signedIn(old);
      expect((await b.api('/api/me')).status).toBe(200);
      upstream.seen.length = 0;
      // The same cookie at the current deployment, whose SESSION_SECRET no longer lists the old one.
      await expectRefusedOnApi(bff.browser(), b.cookieHeader());
    } finally {
      await old.close();
    }
  });

  it('refuses a cookie whose seal is valid but whose session version is unknown', async () => {
    // Not an attack on the MAC (it needs the secret): a session shape the BFF does not read, sealed
    // exactly as the BFF seals (password id derived from the secret) so only the version check stops it.
    const id = createHash('sha256').update(TEST_SECRET).digest().readUInt32BE(0);
    const other = await sealData({ v: 2, sid: 's', user: { sub: 'alice' } }, { password: { [id]: TEST_SECRET }, ttl: 3600 });
    const res = await bff.browser().api('/api/me', { headers: { cookie: `bff-session=${other}` } });
    await expectProblem(res, 401, 'session_expired');
    expect(upstream.seen).toHaveLength(0);
  });
});

describe('chunk forgery', () => {
  it('50 forged bff-session.N cookies: no crash, a forged session is refused and all 51 chunks deleted', async () => {
    const b = bff.browser();
    const forged = Array.from({ length: 50 }, (_, i) => `bff-session.${i + 1}=${'x'.repeat(40)}`);
    const cookie = ['bff-session=Fe26.2*forged', ...forged].join('; ');
    const info = await b.get('/auth/session', { cookie });
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({ authenticated: false });
    const deleted = new Set(b.lastSetCookies.filter((l) => /Max-Age=0/.test(l)).map((l) => l.split('=')[0]));
    expect(deleted.size).toBe(51);
    for (let i = 1; i <= 50; i++) expect(deleted.has(`bff-session.${i}`)).toBe(true);
    await expectRefusedOnApi(b, cookie);
  });

  it('50 forged bff-session.N cookies appended to a real session are refused: a seal has exactly one spelling', async () => {
    const b = await signedIn(bff);
    const forged = Array.from({ length: 50 }, (_, i) => `bff-session.${i + 1}=${'x'.repeat(40)}`);
    const real = `bff-session=${b.jar.get('bff-session')}`;
    const cookie = [real, ...forged].join('; ');
    const attacker = bff.browser();
    expect((await sessionInfo(attacker, cookie)).authenticated).toBe(false);
    const res = await attacker.api('/api/me', { headers: { cookie } });
    expect(res.status).toBe(401);
    // The untouched cookie still works: refusing the forgery did not end the session.
    expect((await sessionInfo(bff.browser(), real)).user?.sub).toBe('alice');
  });

  it('a real session split into 50 chunks is refused: never more than 5 chunks are joined', async () => {
    const b = await signedIn(bff);
    const value = b.jar.get('bff-session')!;
    const size = Math.ceil(value.length / 50);
    const parts = Array.from({ length: 50 }, (_, i) => value.slice(i * size, (i + 1) * size));
    const cookie = parts.map((p, i) => `${i === 0 ? 'bff-session' : `bff-session.${i}`}=${p}`).join('; ');
    expect((await sessionInfo(b, cookie)).authenticated).toBe(false);
    // The same value in 5 chunks is the real session: splitting is not what is refused, the count is.
    const five = Math.ceil(value.length / 5);
    const ok = Array.from({ length: 5 }, (_, i) => `${i === 0 ? 'bff-session' : `bff-session.${i}`}=${value.slice(i * five, (i + 1) * five)}`).join('; ');
    expect((await sessionInfo(b, ok)).authenticated).toBe(true);
  });

  it('six session cookie chunks are refused where five is the limit (and exactly five are joined)', async () => {
    const b = await signedIn(bff);
    const value = b.jar.get('bff-session')!;
    const split = (n: number) => {
      const size = Math.ceil(value.length / n);
      return Array.from({ length: n }, (_, i) => `${i === 0 ? 'bff-session' : `bff-session.${i}`}=${value.slice(i * size, (i + 1) * size)}`).join('; ');
    };
    expect((await sessionInfo(bff.browser(), split(6))).authenticated).toBe(false);
    const refused = await bff.browser().api('/api/me', { headers: { cookie: split(6) } });
    await expectProblem(refused, 401, 'session_expired');
    expect(upstream.seen).toHaveLength(0);
    expect((await sessionInfo(bff.browser(), split(5))).authenticated).toBe(true);
    expect((await bff.browser().api('/api/me', { headers: { cookie: split(5) } })).status).toBe(200);
  });

  it('chunks with hostile indices (.0, .-1, .1e3, .NaN, huge) are ignored or deleted, never a 5xx', async () => {
    const b = await signedIn(bff);
    const junk = ['bff-session.0=x', 'bff-session.-1=x', 'bff-session.1e3=x', 'bff-session.NaN=x', 'bff-session.99999999999999999999=x', 'bff-session.=x', 'bff-session..1=x'];
    const res = await b.get('/auth/session', { cookie: [`bff-session=${b.jar.get('bff-session')}`, ...junk].join('; ') });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { authenticated: boolean }).authenticated).toBe(true);
  });
});

describe('cookie contents', () => {
  it('are encrypted: no token, claim or sid is readable in any decoded part of the sealed value', async () => {
    const b = await signedIn(bff);
    const value = b.jar.get('bff-session')!;
    const { logoutUrl } = await sessionInfo(b);
    const sid = new URL(logoutUrl!, 'http://x').searchParams.get('sid')!;
    const decoded = value
      .split(/[*~]/)
      .map((part) => Buffer.from(part, 'base64url').toString('latin1') + '\n' + part)
      .join('\n');
    for (const secret of [...bff.issuedTokens.slice(-3), sid, 'alice@example.test', 'Alice Example']) {
      expect(decoded.includes(secret), secret.slice(0, 12)).toBe(false);
    }
  });
});

describe('cookie prefix and attributes', () => {
  let secure: TestBff;
  const origin = 'https://app.example.test';
  beforeAll(async () => {
    const sidp = await createMockIdp({ clients: [{ ...DEFAULT_CLIENT, redirect_uris: [`${origin}/auth/callback`], post_logout_redirect_uris: [`${origin}/`] }] });
    secure = await startTestBff({ idp: sidp, env: { BFF_PUBLIC_URL: origin, API_UPSTREAM_URL: upstream.url } });
  });
  afterAll(() => secure.close());

  it('on https, a session cookie without the __Host- prefix (as a sibling subdomain could plant it) is ignored', async () => {
    const b = await signedIn(secure);
    const value = b.jar.get('__Host-bff-session')!;
    expect((await sessionInfo(b, `bff-session=${value}`)).authenticated).toBe(false);
    expect((await sessionInfo(b, `__Secure-bff-session=${value}`)).authenticated).toBe(false);
    expect((await sessionInfo(b, `__host-bff-session=${value}`)).authenticated).toBe(false);
    expect((await sessionInfo(b)).authenticated).toBe(true);
  });

  it('every session cookie is host-only and its Max-Age never outlives the absolute session lifetime', async () => {
    const b = await signedIn(secure);
    const lines = b.lastSetCookies.filter((l) => l.startsWith('__Host-bff-session'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).not.toMatch(/;\s*Domain=/i);
      expect(line).toMatch(/; Path=\/(;|$)/);
      expect(line).toMatch(/; HttpOnly/);
      expect(line).toMatch(/; Secure/);
      expect(line).toMatch(/; SameSite=Strict/);
      const maxAge = Number(/Max-Age=(\d+)/.exec(line)![1]);
      expect(maxAge).toBeGreaterThan(0);
      expect(maxAge).toBeLessThanOrEqual(secure.config.session.absoluteTimeoutS);
    }
  });
});

describe('session fixation', () => {
  it('a session cookie planted before sign-in is replaced: the victim gets a new sid and the planted one stops working', async () => {
    idp.settings.user = { sub: 'mallory', name: 'Mallory' };
    const attacker = await signedIn(bff);
    const planted = attacker.cookieHeader();
    const plantedSid = (await sessionInfo(attacker)).logoutUrl;
    idp.settings.user = { ...DEFAULT_USER };
    const victim = bff.browser();
    for (const part of planted.split('; ')) {
      const eq = part.indexOf('=');
      victim.jar.set(part.slice(0, eq), part.slice(eq + 1));
    }
    expect((await bff.signIn(victim)).status).toBe(302);
    const info = await sessionInfo(victim);
    expect(info.user?.sub).toBe('alice');
    expect(info.logoutUrl).not.toBe(plantedSid);
    expect((await sessionInfo(bff.browser(), planted)).authenticated).toBe(false);
  });
});

describe('malformed Cookie headers', () => {
  const hostile = [
    ';',
    '=;=;=',
    'bff-session',
    'bff-session=',
    'bff-session=;bff-session=x',
    'bff-session="Fe26.2**"',
    'bff-session=Fe26.2*1*a*b*c*d*e*f~2',
    'bff-session=Fe26.2****************************',
    'bff-session=%E0%A4%A',
    'bff-session=\u00e9\u00ff\u00fe',
    'bff-session.1=only-a-second-chunk',
    `bff-session=${'A'.repeat(3800)}`,
    Array.from({ length: 400 }, (_, i) => `c${i}=v`).join('; '),
    'bff-tx=garbage; bff-session=garbage',
  ];

  it('never cause a 5xx on /auth/session, /api, /auth/logout or /auth/callback, and the server keeps serving', async () => {
    for (const cookie of hostile) {
      for (const target of ['/auth/session', '/api/x', '/auth/logout?sid=x', '/auth/callback?code=c&state=s']) {
        const lines = ['Host: localhost:3000', `Cookie: ${cookie}`, 'X-CSRF: 1'];
        const { responses } = await rawExchange(bff.url, rawRequest('GET', target, lines));
        expect(responses[0]?.status, `${target} with ${JSON.stringify(cookie.slice(0, 60))}`).toBeLessThan(500);
      }
    }
    expect((await bff.browser().get('/healthz')).status).toBe(200);
    expect(upstream.seen).toHaveLength(0);
  });

  it('a second Cookie header cannot smuggle a session past the first one', async () => {
    const b = await signedIn(bff);
    // Two Cookie header lines: node joins them with "; ", the first bff-session wins.
    const lines = ['Host: localhost:3000', 'Cookie: bff-session=forged', `Cookie: ${b.cookieHeader()}`, 'X-CSRF: 1'];
    const { responses } = await rawExchange(bff.url, rawRequest('GET', '/api/x', lines));
    expect(responses[0]!.status).toBe(401);
    expect(upstream.seen).toHaveLength(0);
    expect(hasSessionCookie(b)).toBe(true);
  });
});
