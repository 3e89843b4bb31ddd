import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../bff/config.ts';
import { createSessionStore, ENDED_SWEEP_AT } from '../../bff/session/store.ts';
import { createSealer } from '../../bff/session/seal.ts';
import { SessionCache } from '../../bff/session/cache.ts';
import { serializeCookie } from '../../bff/session/cookies.ts';
import type { SessionData } from '../../bff/session/data.ts';

// The session store's own rules, below the HTTP tests: memory of ended sessions, the sealer's
// refusal to run without a key, cache deletion, and what a deleting Set-Cookie says.

const config = loadConfig({
  OIDC_ISSUER: 'https://idp.example.test', OIDC_CLIENT_ID: 'bff', OIDC_CLIENT_SECRET: 'x',
  SESSION_SECRET: 'test-session-secret-0123456789-abcdefghij', SESSION_ABSOLUTE_TIMEOUT_S: '3600', SESSION_IDLE_TIMEOUT_S: '600',
});

const session = (sid: string, createdAt: number): SessionData => ({
  v: 1, sid, iss: 'https://idp.example.test', user: { sub: 'alice' }, at: 'at', atExp: createdAt + 300, createdAt, seenAt: createdAt,
});

function exchange(cookie?: string): { req: IncomingMessage; res: ServerResponse; cookies: () => string[] } {
  const headers = new Map<string, unknown>();
  const res = { getHeader: (n: string) => headers.get(n), setHeader: (n: string, v: unknown) => void headers.set(n, v) } as unknown as ServerResponse;
  return { req: { headers: cookie ? { cookie } : {} } as IncomingMessage, res, cookies: () => (headers.get('set-cookie') as string[]) ?? [] };
}

describe('ended sessions', () => {
  it('are remembered until their absolute timeout, then swept once there are more than ENDED_SWEEP_AT', () => {
    let t = 1_000_000;
    const store = createSessionStore(config, () => t);
    for (let i = 0; i < ENDED_SWEEP_AT; i++) store.end(session(`old-${i}`, t), `raw-${i}`);
    expect(store.endedCount).toBe(ENDED_SWEEP_AT); // not past the mark: nothing swept
    t += 3600; // every one of them is past its absolute timeout now
    store.end(session('young', t - 10), 'raw-young');
    expect(store.endedCount).toBe(1);
  });

  it('an ended session one second short of its absolute timeout is kept by the sweep', () => {
    let t = 1_000_000;
    const store = createSessionStore(config, () => t);
    store.end(session('late', t + 1), 'raw-late');
    for (let i = 0; i < ENDED_SWEEP_AT; i++) store.end(session(`old-${i}`, t), `raw-${i}`);
    t += 3600;
    expect(store.endedCount).toBe(ENDED_SWEEP_AT + 1);
    store.end(session('trigger', t), 'raw-trigger');
    expect(store.endedCount).toBe(2); // 'late' (1 s left) and the new one
  });

  it('a sealed session that was ended is refused on read', async () => {
    const t = 1_000_000;
    const store = createSessionStore(config, () => t);
    const x = exchange();
    const raw = await store.write(x.req, x.res, session('s1', t));
    const again = exchange(`bff-session=${raw}`);
    expect((await store.read(again.req)).state).toBe('active');
    store.end(session('s1', t), raw);
    expect((await store.read(again.req)).state).toBe('expired');
  });
});

describe('pieces', () => {
  it('a sealer needs at least one secret', () => {
    expect(() => createSealer([])).toThrow(/secret/);
  });

  it('deleting a value the cache never held is a no-op', () => {
    const c = new SessionCache<number>(4);
    c.set('a'.repeat(80), 1);
    expect(() => c.delete('b'.repeat(80))).not.toThrow();
    expect(c.get('a'.repeat(80))).toBe(1);
  });

  it('a deleting Set-Cookie carries Max-Age=0 and a past Expires (for clients that ignore Max-Age)', () => {
    expect(serializeCookie('bff-session', '', { secure: false, sameSite: 'Strict', maxAge: 0 })).toBe(
      'bff-session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    );
    expect(serializeCookie('bff-session', 'v', { secure: true, sameSite: 'Lax', maxAge: 60 })).toBe('bff-session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure');
  });
});
