import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealData } from 'iron-session';
import { startTestBff, TEST_SECRET, type TestBff } from '../support/bff.ts';
import { createMockIdp, DEFAULT_CLIENT, DEFAULT_USER } from '../support/idp/index.ts';
import { location, type Browser } from '../support/browser.ts';
import { rewriteTokenResponses } from '../security/helpers.ts';

let bff: TestBff;
beforeAll(async () => {
  bff = await startTestBff();
});
afterAll(() => bff.close());

const sessionOf = async (b: Browser, cookie?: string) =>
  (await (await b.get('/auth/session', cookie === undefined ? {} : { cookie })).json()) as { authenticated: boolean; user?: Record<string, unknown> };

async function signedIn(target: TestBff = bff): Promise<Browser> {
  const b = target.browser();
  expect((await target.signIn(b)).status).toBe(302);
  return b;
}

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/, not Secure on http, with no token in clear', async () => {
    const b = bff.browser();
    await bff.signIn(b);
    const line = b.lastSetCookies.find((l) => l.startsWith('bff-session='))!;
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Strict/);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/Secure/);
    for (const token of bff.issuedTokens) expect(line).not.toContain(token);
    expect(line).toMatch(/^bff-session=Fe26\.2\*/);
  });

  it('is refused when tampered with (one character flipped)', async () => {
    const b = await signedIn();
    const value = b.jar.get('bff-session')!;
    const i = Math.floor(value.length / 2);
    const flipped = value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
    expect((await sessionOf(b, `bff-session=${flipped}`)).authenticated).toBe(false);
  });

  it('is refused when truncated', async () => {
    const b = await signedIn();
    const value = b.jar.get('bff-session')!;
    expect((await sessionOf(b, `bff-session=${value.slice(0, value.length - 20)}`)).authenticated).toBe(false);
    expect((await sessionOf(b, 'bff-session=Fe26.2*')).authenticated).toBe(false);
    expect((await sessionOf(b, 'bff-session=%%%garbage')).authenticated).toBe(false);
  });

  it('is refused when sealed with a foreign secret, even with well-formed contents', async () => {
    const b = bff.browser();
    const now = Math.floor(Date.now() / 1000);
    const forged = await sealData(
      { v: 1, sid: 'x', iss: bff.idp.issuer, user: { sub: 'mallory' }, at: 'a', atExp: now + 300, createdAt: now, seenAt: now },
      { password: 'attacker-secret-0123456789abcdefghijkl', ttl: 3600 },
    );
    expect((await sessionOf(b, `bff-session=${forged}`)).authenticated).toBe(false);
  });

  it('survives a secret rotation (new secret first, old one kept) and dies when the old secret is dropped', async () => {
    const b = await signedIn();
    const cookie = b.cookieHeader();
    const NEW = 'rotated-secret-0123456789-abcdefghijklmn';
    const rotated = await startTestBff({ idp: bff.idp, env: { SESSION_SECRET: `${NEW},${TEST_SECRET}` } });
    const dropped = await startTestBff({ idp: bff.idp, env: { SESSION_SECRET: NEW } });
    try {
      expect((await sessionOf(rotated.browser(), cookie)).authenticated).toBe(true);
      expect((await sessionOf(dropped.browser(), cookie)).authenticated).toBe(false);
      // New sessions are sealed with the first secret: the rotated-only server reads them.
      const fresh = await signedIn(rotated);
      expect((await sessionOf(dropped.browser(), fresh.cookieHeader())).authenticated).toBe(true);
    } finally {
      await rotated.close();
      await dropped.close();
    }
  });

  it('ends after the absolute lifetime whatever the cookie says', async () => {
    let now = Date.now();
    const timed = await startTestBff({ clock: () => now, env: { SESSION_ABSOLUTE_TIMEOUT_S: '7200', SESSION_IDLE_TIMEOUT_S: '3600' } });
    try {
      const b = await signedIn(timed);
      for (let i = 0; i < 5; i++) {
        now += 30 * 60 * 1000; // active every 30 minutes: never idle
        if (i < 3) expect((await sessionOf(b)).authenticated).toBe(true);
      }
      expect((await sessionOf(b)).authenticated).toBe(false);
    } finally {
      await timed.close();
    }
  });

  it('ends after the idle timeout', async () => {
    let now = Date.now();
    const timed = await startTestBff({ clock: () => now, env: { SESSION_IDLE_TIMEOUT_S: '600' } });
    try {
      const b = await signedIn(timed);
      now += 599 * 1000;
      expect((await sessionOf(b)).authenticated).toBe(true);
      now += 601 * 1000;
      expect((await sessionOf(b)).authenticated).toBe(false);
      expect([...b.jar.keys()].some((k) => k.startsWith('bff-session'))).toBe(false);
    } finally {
      await timed.close();
    }
  });
});

describe('big tokens', () => {
  const groups = Array.from({ length: 150 }, (_, i) => `group-${String(i).padStart(3, '0')}-engineering`);

  it('an ID token of over 5 KB signs in, no cookie exceeds 4096 bytes, and the claims survive', async () => {
    const big = await startTestBff({ idpOptions: { user: { ...DEFAULT_USER, groups } } });
    try {
      const b = big.browser();
      expect((await big.signIn(b)).status).toBe(302);
      const idToken = big.issuedTokens.find((t) => t.split('.').length === 3 && t.startsWith('eyJ'))!;
      expect(idToken.length).toBeGreaterThan(5 * 1024);
      const sessionLines = b.lastSetCookies.filter((l) => l.startsWith('bff-session'));
      expect(sessionLines.length).toBeGreaterThan(1);
      for (const line of b.lastSetCookies) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
      const info = await sessionOf(b);
      expect(info.user?.groups).toEqual(groups);
    } finally {
      await big.close();
    }
  });

  it('a session too big for five cookies is slimmed to the essential claims, never a 500', async () => {
    const huge = Array.from({ length: 1200 }, (_, i) => `a-very-long-group-name-number-${i}`);
    const big = await startTestBff({ idpOptions: { user: { ...DEFAULT_USER, groups: huge } } });
    try {
      const b = big.browser();
      const res = await big.signIn(b);
      expect(res.headers.get('location')).toBe('/');
      for (const line of b.lastSetCookies) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
      const info = await sessionOf(b);
      expect(info.authenticated).toBe(true);
      expect(info.user).toMatchObject({ sub: 'alice', name: 'Alice Example' });
      expect(info.user).not.toHaveProperty('groups');
    } finally {
      await big.close();
    }
  });

  it('tokens too big for five cookies even slimmed: the sign-in fails on the error page, never a 500 or an oversized cookie', async () => {
    const undo = rewriteTokenResponses(bff.idp, (body) => ({ ...body, access_token: `at_${'x'.repeat(25_000)}` }));
    try {
      const b = bff.browser();
      const res = await bff.signIn(b);
      expect(res.status).toBe(302);
      expect(location(res).pathname).toBe('/login-error');
      expect(location(res).searchParams.get('error')).toBe('login_failed');
      for (const line of b.lastSetCookies) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
      expect([...b.jar.keys()].filter((k) => k.startsWith('bff-session'))).toEqual([]);
    } finally {
      undo();
    }
  });

  it('a two-chunk session after a three-chunk one deletes only the third chunk', async () => {
    const many = Array.from({ length: 300 }, (_, i) => `group-${String(i).padStart(3, '0')}-engineering`);
    const idp = await createMockIdp({ user: { ...DEFAULT_USER, groups: many } });
    const t = await startTestBff({ idp });
    try {
      const b = t.browser();
      await t.signIn(b);
      expect(b.jar.has('bff-session.2')).toBe(true);
      idp.settings.user = { ...DEFAULT_USER, groups };
      await t.signIn(b);
      expect(b.jar.has('bff-session.1')).toBe(true);
      expect(b.jar.has('bff-session.2')).toBe(false);
      expect((await sessionOf(b)).user?.groups).toEqual(groups);
    } finally {
      await t.close();
    }
  });

  it('a shorter session after a longer one deletes the leftover chunks', async () => {
    const idp = await createMockIdp({ user: { ...DEFAULT_USER, groups } });
    const t = await startTestBff({ idp });
    try {
      const b = t.browser();
      await t.signIn(b);
      expect(b.jar.has('bff-session.1')).toBe(true);
      idp.settings.user = { ...DEFAULT_USER };
      await t.signIn(b);
      expect(b.jar.has('bff-session.1')).toBe(false);
      const info = await sessionOf(b);
      expect(info.authenticated).toBe(true); // only the leftover was deleted, not the new first chunk
      expect(info.user).not.toHaveProperty('groups');
    } finally {
      await t.close();
    }
  });
});

describe('on https', () => {
  it('uses the __Host- prefix and Secure for the session and transaction cookies', async () => {
    const origin = 'https://app.example.test';
    const idp = await createMockIdp({ clients: [{ ...DEFAULT_CLIENT, redirect_uris: [`${origin}/auth/callback`], post_logout_redirect_uris: [`${origin}/`] }] });
    const secure = await startTestBff({ idp, env: { BFF_PUBLIC_URL: origin } });
    try {
      const b = secure.browser();
      await b.get('/auth/login');
      expect(b.lastSetCookies[0]).toMatch(/^__Host-bff-tx=.*; Path=\/; HttpOnly; SameSite=Lax; .*; Secure$/);
      await secure.signIn(b);
      const line = b.lastSetCookies.find((l) => l.startsWith('__Host-bff-session='))!;
      expect(line).toMatch(/; Secure/);
      expect(line).toMatch(/; Path=\//);
      expect(line).not.toMatch(/Domain=/i);
      const res = await b.get('/');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    } finally {
      await secure.close();
    }
  });
});
