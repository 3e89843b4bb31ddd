import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import { startTestBff, type TestBff } from '../support/bff.ts';
import { clientKey, createLoginLimit } from '../../bff/oidc/login-limit.ts';
import { createTransactionStore, TRANSACTION_TTL_S } from '../../bff/session/transaction.ts';
import { loadConfig } from '../../bff/config.ts';

// /auth/login hands out a login transaction that can make the BFF call the provider's token
// endpoint: one client address gets LOGIN_RATE_LIMIT_PER_MIN of them (token bucket), and the memory
// of consumed transactions is bounded.

let bff: TestBff;
let now = Date.now();
beforeAll(async () => {
  bff = await startTestBff({ clock: () => now, env: { LOGIN_RATE_LIMIT_PER_MIN: '30' } });
});
afterAll(() => bff.close());

interface Answer { status: number; headers: http.IncomingHttpHeaders; body: string }

/** GET /auth/login from a chosen loopback source address (every 127.x.y.z is this machine). */
function loginFrom(localAddress: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { port } = new URL(bff.url);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/auth/login', localAddress, headers: { host: 'localhost:3000', ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

async function burst(address: string, n: number, headers?: (i: number) => Record<string, string>): Promise<Answer[]> {
  const out: Answer[] = [];
  for (let i = 0; i < n; i++) out.push(await loginFrom(address, headers?.(i)));
  return out;
}

describe('/auth/login per client address', () => {
  it('/auth/login unbounded: one address gets 30 logins a minute, then 429 too_many_requests with Retry-After and no transaction cookie', async () => {
    const first = await burst('127.0.0.2', 30);
    expect(first.map((a) => a.status)).toEqual(Array(30).fill(302));
    const refused = await loginFrom('127.0.0.2');
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 429, code: 'too_many_requests' });
    expect(refused.headers['retry-after']).toBe('2'); // 30 a minute: one more every 2 s
    expect(refused.headers['set-cookie']).toBeUndefined();
    // A client-sent X-Forwarded-For is not an address.
    const spoofed = await burst('127.0.0.2', 5, (i) => ({ 'x-forwarded-for': `203.0.113.${i}` }));
    expect(spoofed.map((a) => a.status)).toEqual(Array(5).fill(429));
  });

  it('other addresses are unaffected while one is refused', async () => {
    expect((await loginFrom('127.0.0.2')).status).toBe(429);
    expect((await burst('127.0.0.3', 30)).map((a) => a.status)).toEqual(Array(30).fill(302));
    const b = bff.browser(); // 127.0.0.1
    expect((await bff.signIn(b)).status).toBe(302);
    expect((await loginFrom('127.0.0.2')).status).toBe(429);
  });

  it('refills at the configured rate: after Retry-After one more login, then refused again', async () => {
    expect((await loginFrom('127.0.0.4')).status).toBe(302);
    await burst('127.0.0.4', 29);
    const again = await loginFrom('127.0.0.4');
    expect(again.status).toBe(429);
    now += Number(again.headers['retry-after']) * 1000;
    expect((await loginFrom('127.0.0.4')).status).toBe(302);
    expect((await loginFrom('127.0.0.4')).status).toBe(429);
    now += 60_000; // a full minute refills the whole bucket
    expect((await burst('127.0.0.4', 30)).map((a) => a.status)).toEqual(Array(30).fill(302));
  });
});

describe('login limit memory', () => {
  it('remembers at most its bound of addresses, forgetting the least recently seen', () => {
    let t = 0;
    const limit = createLoginLimit(1, () => t, 100);
    for (let i = 0; i < 1_000; i++) expect(limit.take(`10.0.${i >> 8}.${i & 255}`)).toBe(0);
    expect(limit.size).toBe(100);
    expect(limit.take('10.0.3.231')).toBe(60); // among the last 100: still counted
    t += 1;
    expect(limit.take('10.0.0.0')).toBe(0); // forgotten long ago: a fresh bucket
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey(undefined)).toBe('unknown');
  });
});

describe('consumed login transactions', () => {
  const config = loadConfig({
    OIDC_ISSUER: 'https://idp.example.test', OIDC_CLIENT_ID: 'bff', OIDC_CLIENT_SECRET: 'x',
    SESSION_SECRET: 'test-session-secret-0123456789-abcdefghij',
  });

  /** A response stand-in that keeps Set-Cookie lines. */
  function response(): ServerResponse & { cookies(): string[] } {
    const headers = new Map<string, unknown>();
    return {
      getHeader: (n: string) => headers.get(n),
      setHeader: (n: string, v: unknown) => void headers.set(n, v),
      cookies: () => (headers.get('set-cookie') as string[] | undefined) ?? [],
    } as unknown as ServerResponse & { cookies(): string[] };
  }

  async function begun(store: ReturnType<typeof createTransactionStore>, state: string): Promise<string> {
    const res = response();
    await store.begin(res, { state, nonce: 'n', code_verifier: 'v', returnTo: '/', provider: 'default' });
    return res.cookies()[0]!.split(';')[0]!;
  }

  it('remember at most their bound, oldest forgotten first, and forget expired ones', async () => {
    let t = 1_000_000;
    const store = createTransactionStore(config, () => t, 10);
    const cookies: string[] = [];
    for (let i = 0; i < 40; i++) cookies.push(await begun(store, `state-${i}`));
    for (const cookie of cookies) expect(await store.take({ headers: { cookie } } as never, response())).toBeDefined();
    expect(store.consumedSize).toBe(10);
    // The most recent ones are still refused as replays.
    for (const cookie of cookies.slice(-10)) expect(await store.take({ headers: { cookie } } as never, response())).toBeUndefined();
    t += TRANSACTION_TTL_S;
    const late = await begun(store, 'late');
    expect(await store.take({ headers: { cookie: late } } as never, response())).toBeDefined();
    expect(store.consumedSize).toBe(1);
  });
});
