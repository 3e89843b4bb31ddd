import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createMemoryStore } from './memory.ts';
import { createRedisStore } from './redis.ts';
import type { StateStore } from './store.ts';
import { createHash } from 'node:crypto';
import type { SessionData } from '../session/data.ts';
import { createSealer } from '../session/seal.ts';
import { sharedRefresh } from './shared-refresh.ts';

/** Redis when `REDIS_URL` is set, else this process's memory. */
export function createStateStore(config: Config, log: Logger, now: () => number = Date.now): StateStore {
  const { redisUrl, keyPrefix, memoryBytes } = config.store;
  return redisUrl ? createRedisStore(redisUrl, keyPrefix, log) : createMemoryStore(memoryBytes, now);
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
