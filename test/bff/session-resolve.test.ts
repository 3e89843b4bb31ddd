import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../bff/config.ts';
import { createSessionStore } from '../../bff/session/store.ts';
import { createFreshTokens } from '../../bff/session/fresh.ts';
import { createSessionResolver } from '../../bff/session/resolve.ts';
import { newSession } from '../../bff/session/new-session.ts';
import { SessionExpired } from '../../bff/errors.ts';
import type { SessionData } from '../../bff/session/data.ts';
import { MINIMAL_ENV } from '../support/config.ts';

// session/resolve.ts on its own: the one entry point every route uses to turn a request into an
// active session (or none), with the store and the fresh-token logic real and the provider faked.

const config = loadConfig({ ...MINIMAL_ENV, SESSION_IDLE_TIMEOUT_S: '600', SESSION_ABSOLUTE_TIMEOUT_S: '3600' });

function setup(refresh: (s: SessionData) => Promise<SessionData>) {
  let t = 1_000_000;
  const store = createSessionStore(config, () => t);
  const resolver = createSessionResolver(store, createFreshTokens(refresh, 60, () => t * 1000));
  return { store, resolver, advance: (s: number) => (t += s), now: () => t };
}

function exchange(cookie?: string) {
  const headers = new Map<string, unknown>();
  const res = { getHeader: (n: string) => headers.get(n), setHeader: (n: string, v: unknown) => void headers.set(n, v) } as unknown as ServerResponse;
  const req = { headers: cookie ? { cookie } : {} } as IncomingMessage;
  const setCookies = () => (headers.get('set-cookie') as string[] | undefined) ?? [];
  return { req, res, setCookies };
}

async function cookieFor(env: ReturnType<typeof setup>, data: SessionData): Promise<string> {
  const x = exchange();
  await env.store.write(x.req, x.res, data);
  return x.setCookies().map((l) => l.split(';')[0]).join('; ');
}

const signIn = (now: number, atLifetime = 300) => newSession({ iss: 'https://idp.example.com', user: { sub: 'alice' }, at: 'at-1', atExp: now + atLifetime, rt: 'rt-1' }, now);

describe('resolve()', () => {
  it('answers none without a cookie, synchronously', () => {
    const env = setup(() => Promise.reject(new Error('no refresh expected')));
    const x = exchange();
    expect(env.resolver.resolve(x.req, x.res, { fresh: true, touch: true })).toEqual({ state: 'none' });
  });

  it('answers a cached, fresh, recently touched session synchronously, with no Set-Cookie (the relay hot path)', async () => {
    const env = setup(() => Promise.reject(new Error('no refresh expected')));
    const cookie = await cookieFor(env, signIn(env.now()));
    const x = exchange(cookie);
    const result = env.resolver.resolve(x.req, x.res, { fresh: true, touch: true });
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toMatchObject({ state: 'active', data: { user: { sub: 'alice' } } });
    expect(x.setCookies()).toEqual([]);
  });

  it('refreshes a stale token and rewrites the cookie, only when asked for a fresh one', async () => {
    let refreshes = 0;
    const env = setup(async (s) => ({ ...s, at: `at-${++refreshes + 1}`, atExp: env.now() + 300, seenAt: env.now() }));
    const cookie = await cookieFor(env, signIn(env.now(), 5)); // 5 s left: stale, and too close to expiry to refresh ahead
    const info = exchange(cookie);
    expect(await env.resolver.resolve(info.req, info.res, { fresh: false, touch: false })).toMatchObject({ data: { at: 'at-1' } });
    expect(refreshes).toBe(0);
    const relay = exchange(cookie);
    expect(await env.resolver.resolve(relay.req, relay.res, { fresh: true, touch: true })).toMatchObject({ state: 'active', data: { at: 'at-2' } });
    expect(refreshes).toBe(1);
    expect(relay.setCookies().some((l) => l.startsWith('bff-session=Fe26'))).toBe(true);
  });

  it('touches the idle clock only when asked, and only once it is due', async () => {
    const env = setup(() => Promise.reject(new Error('no refresh expected')));
    const start = env.now();
    const cookie = await cookieFor(env, signIn(start));
    env.advance(120); // past the touch interval (idle 600 s / 10), far from any timeout
    const logout = exchange(cookie);
    expect(await env.resolver.resolve(logout.req, logout.res, { fresh: false, touch: false })).toMatchObject({ data: { seenAt: start } });
    expect(logout.setCookies()).toEqual([]);
    const info = exchange(cookie);
    expect(await env.resolver.resolve(info.req, info.res, { fresh: false, touch: true })).toMatchObject({ data: { seenAt: start + 120 } });
    expect(info.setCookies()).toHaveLength(1);
  });

  it('answers expired for a session past its idle timeout, and deletes its cookie', async () => {
    const env = setup(() => Promise.reject(new Error('no refresh expected')));
    const cookie = await cookieFor(env, signIn(env.now()));
    env.advance(600);
    const x = exchange(cookie);
    expect(await env.resolver.resolve(x.req, x.res, { fresh: true, touch: true })).toEqual({ state: 'expired' });
    expect(x.setCookies()).toEqual([expect.stringMatching(/^bff-session=;.*Max-Age=0/)]);
  });

  it('a rejected refresh ends the session for good: SessionExpired, cookie deleted, the same cookie refused afterwards', async () => {
    const env = setup(() => Promise.reject(new SessionExpired()));
    const cookie = await cookieFor(env, signIn(env.now(), 5)); // about to expire: the request waits for the refresh
    const x = exchange(cookie);
    await expect(env.resolver.resolve(x.req, x.res, { fresh: true, touch: true })).rejects.toBeInstanceOf(SessionExpired);
    expect(x.setCookies()).toEqual([expect.stringMatching(/^bff-session=;.*Max-Age=0/)]);
    const replay = exchange(cookie);
    expect(await env.resolver.resolve(replay.req, replay.res, { fresh: false, touch: false })).toEqual({ state: 'expired' });
  });

  it('a provider that is down keeps the session (the error passes through, no cookie change)', async () => {
    const down = new Error('provider down');
    const env = setup(() => Promise.reject(down));
    const cookie = await cookieFor(env, signIn(env.now(), 5)); // about to expire: the request waits for the refresh
    const x = exchange(cookie);
    await expect(env.resolver.resolve(x.req, x.res, { fresh: true, touch: true })).rejects.toBe(down);
    expect(x.setCookies()).toEqual([]);
    const again = exchange(cookie);
    expect(await env.resolver.resolve(again.req, again.res, { fresh: false, touch: false })).toMatchObject({ state: 'active' });
  });
});

describe('newSession()', () => {
  it('starts both clocks now and draws a fresh random sid each time', () => {
    const a = signIn(5000);
    const b = signIn(5000);
    expect(a).toMatchObject({ v: 1, createdAt: 5000, seenAt: 5000, rt: 'rt-1' });
    expect(a.sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.sid).not.toBe(b.sid);
    expect('scope' in a).toBe(false);
  });
});
