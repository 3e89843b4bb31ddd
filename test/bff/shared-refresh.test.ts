import { describe, expect, it } from 'vitest';
import { refreshKeys, sharedRefresh } from '../../bff/state/shared-refresh.ts';
import { createMemoryStore } from '../../bff/state/memory.ts';
import type { StateStore } from '../../bff/state/store.ts';
import { createSealer } from '../../bff/session/seal.ts';
import type { SessionData } from '../../bff/session/data.ts';
import { SessionExpired, StoreUnavailable } from '../../bff/errors.ts';
import { TEST_SECRET } from '../support/bff.ts';
import { waitFor } from '../support/wait.ts';

const sealer = createSealer([TEST_SECRET]);
const nowS = () => Math.floor(Date.now() / 1000);

function session(rt: string, atExp = nowS() - 10): SessionData {
  return { v: 1, sid: 's1', iss: 'https://idp.example.test', user: { sub: 'alice' }, at: 'at-old', atExp, rt, createdAt: nowS(), seenAt: nowS() };
}

/** A provider whose refreshes finish when the test says so; counts them. */
function gatedProvider() {
  const calls: SessionData[] = [];
  const gates: (() => void)[] = [];
  let fail: Error | undefined;
  const refresh = async (s: SessionData): Promise<SessionData> => {
    calls.push(s);
    await new Promise<void>((r) => gates.push(r));
    if (fail) throw fail;
    return { ...s, at: `at-${calls.length}`, rt: `rt-${calls.length}`, atExp: nowS() + 3600 };
  };
  return { calls, refresh, open: () => gates.splice(0).forEach((g) => g()), openFirst: () => gates.shift()?.(), set fail(e: Error | undefined) { fail = e; } };
}

const options = { leaseMs: 10_000, graceMs: 60_000, isStale: (s: SessionData) => s.atExp - 60 <= nowS(), pollMs: 5 };

describe('sharedRefresh (the refresh lock across instances)', () => {
  it('two instances refreshing the same token at once: one provider call, both get its result', async () => {
    const store = createMemoryStore(1 << 20);
    const provider = gatedProvider();
    const [a, b] = [sharedRefresh(store, sealer, provider.refresh, options), sharedRefresh(store, sealer, provider.refresh, options)];
    const both = Promise.all([a(session('rt-0')), b(session('rt-0'))]);
    await waitFor(() => provider.calls.length === 1);
    provider.open();
    const [ra, rb] = await both;
    expect(provider.calls).toHaveLength(1);
    expect(ra.at).toBe('at-1');
    expect(rb.at).toBe('at-1');
  });

  it('a straggler with the pre-rotation token later gets the sealed successor, not a second refresh', async () => {
    const store = createMemoryStore(1 << 20);
    const provider = gatedProvider();
    const first = sharedRefresh(store, sealer, provider.refresh, options)(session('rt-0'));
    await waitFor(() => provider.calls.length === 1);
    provider.open();
    await first;
    const late = await sharedRefresh(store, sealer, provider.refresh, options)(session('rt-0'));
    expect(late.at).toBe('at-1');
    expect(provider.calls).toHaveLength(1);
    // What the store holds is sealed: no token in clear.
    const raw = await store.get(refreshKeys('rt-0').next);
    expect(raw).toBeDefined();
    expect(raw).not.toContain('at-1');
    expect(raw).not.toContain('rt-1');
  });

  it('a lock left by an instance that died is taken over once its lease ends', async () => {
    const store = createMemoryStore(1 << 20);
    await store.setIfAbsent(refreshKeys('rt-0').lock, 'dead-owner', 50);
    const provider = gatedProvider();
    const waiting = sharedRefresh(store, sealer, provider.refresh, options)(session('rt-0'));
    await waitFor(() => provider.calls.length === 1);
    provider.open();
    expect((await waiting).at).toBe('at-1');
  });

  it('the lock is released by its owner only: a holder whose lease ran out does not delete its successor\'s lock', async () => {
    const store = createMemoryStore(1 << 20);
    const provider = gatedProvider();
    const short = { ...options, leaseMs: 30 };
    const a = sharedRefresh(store, sealer, provider.refresh, short)(session('rt-0'));
    await waitFor(() => provider.calls.length === 1);
    // A's lease runs out while its provider call hangs; B takes the lock.
    const b = sharedRefresh(store, sealer, provider.refresh, { ...options, leaseMs: 60_000 })(session('rt-0'));
    await waitFor(() => provider.calls.length === 2);
    const bOwner = await store.get(refreshKeys('rt-0').lock);
    expect(bOwner).toBeDefined();
    provider.openFirst();
    await a;
    // A is done and tried to release: B's lock is untouched.
    expect(await store.get(refreshKeys('rt-0').lock)).toBe(bOwner);
    provider.open();
    await b;
    expect(await store.get(refreshKeys('rt-0').lock)).toBeUndefined();
  });

  it('a rejected refresh releases the lock and is not remembered: the next attempt asks the provider again', async () => {
    const store = createMemoryStore(1 << 20);
    const provider = gatedProvider();
    provider.fail = new SessionExpired();
    const refresh = sharedRefresh(store, sealer, provider.refresh, options);
    const first = refresh(session('rt-0'));
    await waitFor(() => provider.calls.length === 1);
    provider.open();
    await expect(first).rejects.toBeInstanceOf(SessionExpired);
    expect(await store.get(refreshKeys('rt-0').lock)).toBeUndefined();
    provider.fail = undefined;
    const second = refresh(session('rt-0'));
    await waitFor(() => provider.calls.length === 2);
    provider.open();
    expect((await second).at).toBe('at-2');
  });

  it('a successor gone stale with a newer refresh token: that token is refreshed, never the rotated one again', async () => {
    const store = createMemoryStore(1 << 20);
    await store.set(refreshKeys('rt-0').next, await sealer.seal(session('rt-1', nowS() + 5), 60), 60_000);
    const provider = gatedProvider();
    const pending = sharedRefresh(store, sealer, provider.refresh, options)(session('rt-0'));
    await waitFor(() => provider.calls.length === 1);
    expect(provider.calls[0]!.rt).toBe('rt-1');
    provider.open();
    expect((await pending).at).toBe('at-1');
    // And it became rt-1's successor, for whoever holds rt-1.
    expect(await store.get(refreshKeys('rt-1').next)).toBeDefined();
  });

  it('a provider that does not rotate: a stale successor with the same refresh token is refreshed from the successor', async () => {
    const store = createMemoryStore(1 << 20);
    await store.set(refreshKeys('rt-0').next, await sealer.seal({ ...session('rt-0', nowS() + 5), at: 'at-between' }, 60), 60_000);
    const provider = gatedProvider();
    const pending = sharedRefresh(store, sealer, provider.refresh, options)(session('rt-0'));
    await waitFor(() => provider.calls.length === 1);
    expect(provider.calls[0]!.at).toBe('at-between');
    provider.open();
    expect((await pending).at).toBe('at-1');
  });

  it('a store that cannot be reached: 503 store_unavailable, and the provider is never called', async () => {
    const down: StateStore = {
      ...createMemoryStore(1 << 20),
      get: () => Promise.reject(new StoreUnavailable()),
      setIfAbsent: () => Promise.reject(new StoreUnavailable()),
    };
    const provider = gatedProvider();
    const err = await sharedRefresh(down, sealer, provider.refresh, options)(session('rt-0')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreUnavailable);
    expect((err as StoreUnavailable).status).toBe(503);
    expect((err as StoreUnavailable).code).toBe('store_unavailable');
    expect(provider.calls).toHaveLength(0);
  });
});
