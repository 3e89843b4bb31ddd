import { createClient } from 'redis';
import type { Logger } from '../log.ts';
import { StoreUnavailable, type StateStore } from './store.ts';

/** Deletes the key only when it still holds the caller's value: a lock released by its owner alone. */
const DELETE_IF_EQUALS = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Reconnection backoff: 50 ms doubling to 2 s, forever (Redis coming back must need no restart). */
export function reconnectDelayMs(retries: number): number {
  return Math.min(2000, 50 * 2 ** Math.min(retries, 6));
}

/** The URL without its password, for logs. */
export function redactedRedisUrl(url: URL): string {
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return shown.href;
}

/**
 * The shared store on Redis 6+ (or Valkey): keys under `prefix`, SET NX PX for locks and once-only
 * keys, a Lua compare-and-delete for releasing a lock, pub/sub on a second connection (a subscribed
 * connection can run nothing else). Commands fail at once while disconnected (no offline queue: a
 * request must not hang on a dead Redis) and reconnect in the background; an error is logged, never
 * thrown out of an event handler.
 */
export function createRedisStore(url: URL, prefix: string, log: Logger): StateStore {
  const client = createClient({
    url: url.href,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: reconnectDelayMs },
  });
  const subscriber = client.duplicate();
  const resubscribe: ((message: string | undefined) => void)[] = [];
  let down = false;
  let closed = false;

  client.on('error', (err: unknown) => {
    // One line per outage, not one per reconnection attempt.
    if (!down) log.warn({ event: 'store_unavailable', store: 'redis', url: redactedRedisUrl(url), reason: err instanceof Error ? err.message : String(err) });
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info({ event: 'store_available', store: 'redis' });
    down = false;
  });
  subscriber.on('error', () => undefined); // the main connection reports the outage
  // After a reconnection the subscriber resubscribes by itself, but messages sent meanwhile are lost
  // (and at start Redis may have been unreachable): each connection tells subscribers to reload.
  subscriber.on('ready', () => {
    for (const reload of resubscribe) reload(undefined);
  });
  // Not awaited: the BFF starts (and signs people in) while Redis is still unreachable.
  client.connect().catch(() => undefined);
  subscriber.connect().catch(() => undefined);

  async function run<T>(command: () => Promise<T>): Promise<T> {
    if (closed || !client.isReady) throw new StoreUnavailable();
    try {
      return await command();
    } catch (err) {
      throw new StoreUnavailable(err);
    }
  }

  const k = (key: string) => prefix + key;

  return {
    kind: 'redis',
    get: (key) => run(async () => (await client.get(k(key))) ?? undefined),
    set: (key, value, ttlMs) => run(async () => void (await client.set(k(key), value, { expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) } }))),
    setIfAbsent: (key, value, ttlMs) =>
      run(async () => (await client.set(k(key), value, { expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) }, condition: 'NX' })) === 'OK'),
    deleteIfEquals: (key, value) => run(async () => Number(await client.eval(DELETE_IF_EQUALS, { keys: [k(key)], arguments: [value] })) === 1),
    entries: (match) =>
      run(async () => {
        const found: [string, string][] = [];
        for await (const keys of client.scanIterator({ MATCH: `${escapeGlob(k(match))}*`, COUNT: 500 })) {
          if (keys.length === 0) continue;
          const values = await client.mGet(keys);
          keys.forEach((key, i) => {
            const value = values[i];
            if (typeof value === 'string') found.push([key.slice(prefix.length), value]);
          });
        }
        return found;
      }),
    publish: (channel, message) => run(async () => void (await client.publish(k(channel), message))),
    async subscribe(channel, onMessage) {
      resubscribe.push(onMessage);
      // The subscriber may still be connecting: node-redis then sends SUBSCRIBE once it is up.
      await subscriber.subscribe(k(channel), (message) => onMessage(message)).catch((err: unknown) => {
        log.warn({ event: 'store_subscribe_failed', reason: err instanceof Error ? err.message : String(err) });
      });
    },
    isAvailable: () => !closed && client.isReady,
    async close() {
      closed = true;
      await Promise.allSettled([client, subscriber].map(async (c) => c.close()));
      // close() waits for a reply; destroy() ends a client that never connected or is reconnecting.
      if (client.isOpen) client.destroy();
      if (subscriber.isOpen) subscriber.destroy();
    },
  };
}

/** MATCH is a glob: our prefix and keys must match literally. */
function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
