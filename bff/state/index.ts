import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createMemoryStore } from './memory.ts';
import { createRedisStore } from './redis.ts';
import type { StateStore } from './store.ts';

/** Redis when `REDIS_URL` is set, else this process's memory. */
export function createStateStore(config: Config, log: Logger, now: () => number = Date.now): StateStore {
  const { redisUrl, keyPrefix, memoryBytes } = config.store;
  return redisUrl ? createRedisStore(redisUrl, keyPrefix, log) : createMemoryStore(memoryBytes, now);
}

export type { StateStore } from './store.ts';
export { StoreUnavailable } from './store.ts';
