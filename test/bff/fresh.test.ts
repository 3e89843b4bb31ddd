import { describe, expect, it } from 'vitest';
import { createFreshTokens, GRACE_MS } from '../../bff/session/fresh.ts';
import type { SessionData } from '../../bff/session/data.ts';
import { SessionExpired } from '../../bff/errors.ts';

const T0 = 1_800_000_000_000;

function session(rt: string | undefined, atExp: number): SessionData {
  return { v: 1, sid: 's', iss: 'i', user: { sub: 'u' }, at: `at-for-${rt}`, atExp, ...(rt ? { rt } : {}), createdAt: 0, seenAt: 0 };
}

/** A fake provider: rotates rt-N to rt-(N+1), counts calls, resolves when told. */
function fakeRefresh(nowS: () => number) {
  let calls = 0;
  const release: (() => void)[] = [];
  const refresh = async (s: SessionData): Promise<SessionData> => {
    calls++;
    await new Promise<void>((r) => release.push(r));
    const n = Number(s.rt!.split('-')[1]) + 1;
    return { ...s, rt: `rt-${n}`, at: `at-${n}`, atExp: nowS() + 300 };
  };
  return { refresh, calls: () => calls, releaseAll: () => release.splice(0).forEach((r) => r()) };
}

describe('createFreshTokens', () => {
  it('leaves a token outside the skew alone', async () => {
    const now = T0;
    const fake = fakeRefresh(() => now / 1000);
    const tokens = createFreshTokens(fake.refresh, 60, () => now);
    const s = session('rt-0', now / 1000 + 61);
    expect(await tokens.ensureFresh(s)).toEqual({ session: s, changed: false });
    expect(fake.calls()).toBe(0);
  });

  it('refreshes within the skew, once for any number of concurrent callers', async () => {
    const now = T0;
    const fake = fakeRefresh(() => now / 1000);
    const tokens = createFreshTokens(fake.refresh, 60, () => now);
    const s = session('rt-0', now / 1000 + 59);
    const all = Array.from({ length: 25 }, () => tokens.ensureFresh(s));
    await Promise.resolve();
    fake.releaseAll();
    const results = await Promise.all(all);
    expect(fake.calls()).toBe(1);
    expect(new Set(results.map((r) => r.session.at))).toEqual(new Set(['at-1']));
    expect(results.every((r) => r.changed)).toBe(true);
  });

  it('gives a pre-rotation straggler the successor, following a chain of rotations', async () => {
    let now = T0;
    const fake = fakeRefresh(() => now / 1000);
    // A skew of 290 s on 300 s tokens: the successor goes stale well within the grace period.
    const tokens = createFreshTokens(fake.refresh, 290, () => now);
    const old = session('rt-0', now / 1000 - 1);
    const p1 = tokens.ensureFresh(old);
    await Promise.resolve();
    fake.releaseAll();
    const first = (await p1).session;
    now += 20_000;
    const p2 = tokens.ensureFresh(old);
    await new Promise((r) => setTimeout(r, 0));
    fake.releaseAll();
    const second = (await p2).session;
    expect(second.rt).toBe('rt-2');
    expect(fake.calls()).toBe(2); // rt-0 was never presented twice
    expect(first.rt).toBe('rt-1');
  });

  it('non-rotating provider: a stale successor under the same refresh token is refreshed once, never followed to itself', async () => {
    let now = T0;
    let calls = 0;
    // RFC 6749 §6: the answer carries no refresh token, so the successor keeps the same one.
    const refresh = async (s: SessionData): Promise<SessionData> => {
      calls++;
      await Promise.resolve();
      return { ...s, at: `at-${calls}`, atExp: now / 1000 + 90 };
    };
    const tokens = createFreshTokens(refresh, 60, () => now);
    let current = session('rt-same', now / 1000 - 1);
    for (let window = 1; window <= 4; window++) {
      const burst = await Promise.all(Array.from({ length: 5 }, () => tokens.ensureFresh(current)));
      expect(calls).toBe(window);
      expect(new Set(burst.map((r) => r.session.at))).toEqual(new Set([`at-${window}`]));
      expect(burst[0]!.session.rt).toBe('rt-same');
      current = burst[0]!.session;
      now += 40_000; // past the 30 s a 90 s token stays fresh with a 60 s skew, inside the 60 s grace
    }
  });

  it('a stale successor whose own refresh token was refreshed meanwhile is followed, not refreshed again (no reuse)', async () => {
    let now = T0;
    const fake = fakeRefresh(() => now / 1000);
    const tokens = createFreshTokens(fake.refresh, 290, () => now);
    const first = session('rt-0', now / 1000 - 1);
    const p1 = tokens.ensureFresh(first);
    await Promise.resolve();
    fake.releaseAll();
    const second = (await p1).session; // rt-1
    now += 20_000;
    const p2 = tokens.ensureFresh(second);
    await new Promise((r) => setTimeout(r, 0));
    fake.releaseAll();
    expect((await p2).session.rt).toBe('rt-2');
    // A straggler from before both rotations: rt-0 -> rt-1 (stale) -> rt-2 (fresh).
    expect((await tokens.ensureFresh(first)).session.rt).toBe('rt-2');
    expect(fake.calls()).toBe(2);
  });

  it('forgets the grace mapping after GRACE_MS (the old token is then refreshed as is)', async () => {
    let now = T0;
    const fake = fakeRefresh(() => now / 1000);
    const tokens = createFreshTokens(fake.refresh, 60, () => now);
    const old = session('rt-0', now / 1000 - 1);
    const p1 = tokens.ensureFresh(old);
    await Promise.resolve();
    fake.releaseAll();
    await p1;
    now += GRACE_MS + 1;
    const p2 = tokens.ensureFresh(old);
    await Promise.resolve();
    fake.releaseAll();
    await p2;
    expect(fake.calls()).toBe(2);
  });

  it('shares a failure with every waiter and lets the next attempt try again', async () => {
    const now = T0;
    let fail = true;
    const tokens = createFreshTokens(async () => {
      if (fail) throw new SessionExpired();
      return session('rt-9', now / 1000 + 300);
    }, 60, () => now);
    const s = session('rt-0', 0);
    const results = await Promise.allSettled([tokens.ensureFresh(s), tokens.ensureFresh(s)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await tokens.ensureFresh(s)).session.rt).toBe('rt-9');
  });

  it('without a refresh token, a stale session is expired, and the provider is not asked', async () => {
    let calls = 0;
    const tokens = createFreshTokens(async (s) => {
      calls++;
      return { ...s, atExp: T0 / 1000 + 300 };
    }, 60, () => T0);
    await expect(tokens.ensureFresh(session(undefined, 0))).rejects.toBeInstanceOf(SessionExpired);
    expect(calls).toBe(0);
  });

  it('the grace mapping holds until just before GRACE_MS and is gone at GRACE_MS', async () => {
    let now = T0;
    const fake = fakeRefresh(() => now / 1000);
    // 30 s tokens with a 10 s skew: the successor is stale when the grace window ends.
    const tokens = createFreshTokens(async (s) => ({ ...(await fake.refresh(s)), atExp: now / 1000 + 30 }), 10, () => now);
    const old = session('rt-0', now / 1000 - 1);
    const p1 = tokens.ensureFresh(old);
    await Promise.resolve();
    fake.releaseAll();
    await p1;
    now += 19_000;
    expect((await tokens.ensureFresh(old)).session.rt).toBe('rt-1'); // successor still fresh
    now = T0 + GRACE_MS - 1;
    const p2 = tokens.ensureFresh(old); // successor stale, mapping still there: refresh from rt-1
    await new Promise((r) => setTimeout(r, 0));
    fake.releaseAll();
    expect((await p2).session.rt).toBe('rt-2');
    expect(fake.calls()).toBe(2);
    now = T0 + GRACE_MS; // rt-0's mapping is gone: it is refreshed as it is
    const p3 = tokens.ensureFresh(old);
    await new Promise((r) => setTimeout(r, 0));
    fake.releaseAll();
    expect((await p3).session.rt).toBe('rt-1');
    expect(fake.calls()).toBe(3);
  });

  it('a pre-rotation straggler and a current request meeting a stale successor share one refresh of the newest token', async () => {
    let now = T0;
    const fake = fakeRefresh(() => now / 1000);
    const tokens = createFreshTokens(fake.refresh, 290, () => now);
    const old = session('rt-0', now / 1000 - 1);
    const p1 = tokens.ensureFresh(old);
    await Promise.resolve();
    fake.releaseAll();
    const current = (await p1).session; // rt-1
    now += 20_000; // rt-1's token is stale now, rt-0 still maps to it
    const both = [tokens.ensureFresh(old), tokens.ensureFresh(current), tokens.ensureFresh(old)];
    await new Promise((r) => setTimeout(r, 0));
    fake.releaseAll();
    const results = await Promise.all(both);
    expect(results.map((r) => r.session.rt)).toEqual(['rt-2', 'rt-2', 'rt-2']);
    expect(fake.calls()).toBe(2); // rt-1 presented once: no reuse
  });
});

describe('refresh ahead (createFreshTokens().ahead)', () => {
  const LIFE_MS = 3_600_000;

  it('inside the window, returns the current session at once and starts one background refresh; then the successor', async () => {
    const now = T0;
    const fake = fakeRefresh(() => now / 1000);
    const tokens = createFreshTokens(fake.refresh, 60, () => now, GRACE_MS, () => LIFE_MS);
    const s = session('rt-0', now / 1000 + 30);
    expect(tokens.ahead(s)).toEqual({ session: s, changed: false });
    expect(tokens.ahead(s)).toEqual({ session: s, changed: false });
    expect(fake.calls()).toBe(1);
    fake.releaseAll();
    await new Promise((r) => setTimeout(r, 0));
    expect(tokens.ahead(s)).toMatchObject({ session: { rt: 'rt-1' }, changed: true });
    expect(fake.calls()).toBe(1);
  });

  it('with less than the minimum validity left, leaves it to ensureFresh (the caller waits)', () => {
    const now = T0;
    const fake = fakeRefresh(() => now / 1000);
    const tokens = createFreshTokens(fake.refresh, 60, () => now);
    expect(tokens.ahead(session('rt-0', now / 1000 + 5))).toBeUndefined();
    expect(fake.calls()).toBe(0);
  });

  it("keeps a background refresh's successor for the old cookie's life, and only the grace period once the new cookie is seen", async () => {
    let now = T0;
    const fake = fakeRefresh(() => now / 1000);
    const tokens = createFreshTokens(fake.refresh, 60, () => now, GRACE_MS, () => LIFE_MS);
    const old = session('rt-0', now / 1000 + 30);
    tokens.ahead(old);
    fake.releaseAll();
    await new Promise((r) => setTimeout(r, 0));
    now += 2 * GRACE_MS; // the old cookie comes back after the grace period: its successor is still found
    expect((await tokens.ensureFresh(old)).session.rt).toBe('rt-1');
    expect(fake.calls()).toBe(1);

    // Another grant: the browser shows its new cookie, after which the old one gets only the grace period.
    const other = session('rt-10', now / 1000 + 30);
    tokens.ahead(other);
    fake.releaseAll();
    await new Promise((r) => setTimeout(r, 0));
    const successor = tokens.ahead(other)!.session;
    expect(successor.rt).toBe('rt-11');
    tokens.seen(successor); // a request with the new cookie
    now += GRACE_MS + 1;
    const p = tokens.ensureFresh(other); // the mapping is gone: rt-10 itself is refreshed
    await new Promise((r) => setTimeout(r, 0));
    fake.releaseAll();
    expect((await p).session.rt).toBe('rt-11');
    expect(fake.calls()).toBe(3);
  });
});
