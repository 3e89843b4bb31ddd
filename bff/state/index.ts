import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createMemoryStore } from './memory.ts';
import type { StateStore } from './store.ts';
import { createHash } from 'node:crypto';
import type { SessionData } from '../session/data.ts';
import { createSealer } from '../session/seal.ts';
import { sharedRefresh } from './shared-refresh.ts';

/** Redis when `REDIS_URL` is set, else this process's memory. */
export function createStateStore(config: Config, log: Logger, now: () => number = Date.now): StateStore {
  const { redisUrl, keyPrefix, memoryBytes } = config.store;
  return redisUrl ? lazyRedisStore(redisUrl, keyPrefix, log) : createMemoryStore(memoryBytes, now);
}

/**
 * The Redis store, its client loaded only when `REDIS_URL` is set: node-redis is most of the
 * standalone bundle's code (~1.5 MB), and an instance without Redis should not pay its start-up
 * time and memory. Until the module is loaded (a few ms) the store reports itself unavailable.
 */
function lazyRedisStore(url: URL, prefix: string, log: Logger): StateStore {
  let store: StateStore | undefined;
  const ready = import('./redis.ts').then((m) => (store = m.createRedisStore(url, prefix, log)));
  const use = async <T>(call: (s: StateStore) => Promise<T>): Promise<T> => call(store ?? (await ready));
  return {
    kind: 'redis',
    get: (key) => use((s) => s.get(key)),
    set: (key, value, ttlMs) => use((s) => s.set(key, value, ttlMs)),
    setIfAbsent: (key, value, ttlMs) => use((s) => s.setIfAbsent(key, value, ttlMs)),
    deleteIfEquals: (key, value) => use((s) => s.deleteIfEquals(key, value)),
    entries: (match) => use((s) => s.entries(match)),
    publish: (channel, message) => use((s) => s.publish(channel, message)),
    subscribe: (channel, onMessage) => use((s) => s.subscribe(channel, onMessage)),
    isAvailable: () => store?.isAvailable() ?? false,
    close: () => use((s) => s.close()),
  };
}

export type { StateStore } from './store.ts';
export { StoreUnavailable } from './store.ts';

/**
 * The provider call that refreshes a session, made once across instances when the store is shared
 * (see shared-refresh.ts); one process alone needs only session/fresh.ts's own single flight.
 */
export function refreshAcrossInstances(config: Config, store: StateStore, grant: (s: SessionData) => Promise<SessionData>, clock: () => number, log: Logger) {
  if (store.kind !== 'redis') return grant;
  const skewS = config.session.refreshSkewS;
  return sharedRefresh(store, createSealer(config.session.secrets), grant, {
    // Discovery and the token call may each take the provider timeout; then some margin.
    leaseMs: 3 * config.providerTimeoutMs,
    graceMs: config.session.refreshGraceS * 1000,
    isStale: (s) => s.atExp - skewS <= clock() / 1000,
    log,
  });
}

/** Once-only keys (used login states) on the shared store: false when already used anywhere. */
export function onceAcrossInstances(store: StateStore): ((key: string, ttlMs: number) => Promise<boolean>) | undefined {
  if (store.kind !== 'redis') return undefined;
  return (key, ttlMs) => store.setIfAbsent(`once:${createHash('sha256').update(key).digest('base64url')}`, '1', ttlMs);
}
