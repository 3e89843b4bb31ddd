import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../bff/state/memory.ts';
import { createRedisStore } from '../../bff/state/redis.ts';
import type { StateStore } from '../../bff/state/store.ts';
import { StoreUnavailable } from '../../bff/errors.ts';
import { createLogger } from '../../bff/log.ts';
import { startRedis, type TestRedis } from '../support/redis.ts';
import { waitFor, waitForAsync } from '../support/wait.ts';

const quiet = createLogger('silent');
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis?.close());

async function ready(store: StateStore): Promise<StateStore> {
  await waitFor(() => store.isAvailable(), 10_000);
  return store;
}

const kinds: [string, () => Promise<StateStore>][] = [
  ['memory', async () => createMemoryStore(1024 * 1024)],
  ['redis', async () => ready(createRedisStore(new URL(redis.url), `t${Math.random().toString(36).slice(2)}:`, quiet))],
];

describe.each(kinds)('%s store', (_kind, make) => {
  it('get/set with a time to live: gone once it has passed', async () => {
    const store = await make();
    await store.set('a', 'one', 60_000);
    await store.set('short', 'x', 30);
    expect(await store.get('a')).toBe('one');
    await waitForAsync(async () => (await store.get('short')) === undefined);
    expect(await store.get('never')).toBeUndefined();
    await store.close();
  });

  it('setIfAbsent: only the first caller wins, until the entry expires', async () => {
    const store = await make();
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => store.setIfAbsent('lock', `owner-${i}`, 60_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.setIfAbsent('brief', 'a', 30)).toBe(true);
    await waitForAsync(async () => store.setIfAbsent('brief', 'b', 60_000));
    await store.close();
  });

  it('deleteIfEquals releases a lock only for its owner', async () => {
    const store = await make();
    await store.setIfAbsent('lock', 'me', 60_000);
    expect(await store.deleteIfEquals('lock', 'someone-else')).toBe(false);
    expect(await store.get('lock')).toBe('me');
    expect(await store.deleteIfEquals('lock', 'me')).toBe(true);
    expect(await store.get('lock')).toBeUndefined();
    await store.close();
  });

  it('entries lists the live entries under a prefix, and only those', async () => {
    const store = await make();
    await store.set('ended:1', 'a', 60_000);
    await store.set('ended:2', 'b', 60_000);
    await store.set('other:1', 'c', 60_000);
    expect((await store.entries('ended:')).sort()).toEqual([['ended:1', 'a'], ['ended:2', 'b']]);
    await store.close();
  });

  it('publish reaches a subscriber', async () => {
    const store = await make();
    const got: (string | undefined)[] = [];
    await store.subscribe('news', (m) => got.push(m));
    await waitForAsync(async () => {
      await store.publish('news', 'hello');
      return got.includes('hello');
    });
    await store.close();
  });
});

describe('memory store', () => {
  it('is bounded by bytes: big values push the least recently used out, whatever their count', async () => {
    const store = createMemoryStore(64 * 1024);
    const big = 'x'.repeat(8 * 1024);
    for (let i = 0; i < 20; i++) await store.set(`k${i}`, big, 60_000);
    const kept = (await store.entries('k')).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(5); // 20 × 16 KB (UTF-16) never fits in 64 KB
    expect(await store.get('k19')).toBe(big);
    expect(await store.get('k0')).toBeUndefined();
  });
});

describe('redis store', () => {
  it('keys live under the prefix, so two apps on one Redis never see each other\'s', async () => {
    const a = await ready(createRedisStore(new URL(redis.url), 'app-a:', quiet));
    const b = await ready(createRedisStore(new URL(redis.url), 'app-b:', quiet));
    await a.set('same', 'from-a', 60_000);
    expect(await b.get('same')).toBeUndefined();
    expect(await b.entries('')).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });

  it('Redis down: commands reject at once with StoreUnavailable (no hang, no crash); it reconnects by itself when Redis is back', async () => {
    const own = await startRedis();
    const store = await ready(createRedisStore(new URL(own.url), 'x:', quiet));
    await store.set('k', 'v', 60_000);
    await own.stop();
    await waitFor(() => !store.isAvailable(), 10_000);
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(store.setIfAbsent('lock', 'me', 1000)).rejects.toBeInstanceOf(StoreUnavailable);
    await own.start();
    await ready(store);
    await store.set('k', 'again', 60_000);
    expect(await store.get('k')).toBe('again');
    await store.close();
    await own.stop();
  });

  it('a subscriber is told to reload after a reconnection (messages may have been missed)', async () => {
    const own = await startRedis();
    const store = await ready(createRedisStore(new URL(own.url), 'x:', quiet));
    const got: (string | undefined)[] = [];
    await store.subscribe('news', (m) => got.push(m));
    await waitForAsync(async () => {
      await store.publish('news', 'before');
      return got.includes('before');
    });
    got.length = 0;
    await own.stop();
    await own.start();
    await waitFor(() => got.includes(undefined) && store.isAvailable(), 10_000);
    await store.close();
    await own.stop();
  });

  it('an outage is logged (store_unavailable) without the password of REDIS_URL', async () => {
    const own = await startRedis();
    await own.stop();
    const lines: string[] = [];
    const log = createLogger('debug', { write: (line: string) => void lines.push(line) });
    const store = createRedisStore(new URL(`redis://:hunter2-secret@127.0.0.1:${own.port}`), 'x:', log);
    await waitFor(() => lines.some((l) => l.includes('store_unavailable')), 10_000);
    await store.close();
    expect(lines.find((l) => l.includes('store_unavailable'))).toContain('redis://:***@127.0.0.1');
    expect(lines.join('\n')).not.toContain('hunter2-secret');
  });

  it('starting with Redis unreachable does not throw; the store answers once Redis comes up', async () => {
    const own = await startRedis();
    await own.stop();
    const store = createRedisStore(new URL(own.url), 'x:', quiet);
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreUnavailable);
    await own.start();
    await ready(store);
    expect(await store.get('k')).toBeUndefined();
    await store.close();
    await own.stop();
  });
});
