import { LRUCache } from 'lru-cache';
import type { StateStore } from './store.ts';

/** Bytes an entry is charged: UTF-16 strings, plus the map's own bookkeeping per entry (a rough 64). */
function sizeOf(value: string, key: string): number {
  return 2 * (key.length + value.length) + 64;
}

/**
 * The default store: this process's memory, bounded by bytes (not by entry count: an attacker
 * picks how many entries, not how big we let them grow) and by each entry's time to live. Past the
 * bound the least recently used entry goes first. Publish reaches this process's subscribers only.
 */
export function createMemoryStore(maxBytes: number, now: () => number = Date.now): StateStore {
  const cache = new LRUCache<string, string>({ maxSize: maxBytes, sizeCalculation: sizeOf, ttlAutopurge: false, ttlResolution: 0, perf: { now } });
  const channels = new Map<string, Set<(message: string | undefined) => void>>();

  return {
    kind: 'memory',
    get: async (key) => cache.get(key),
    async set(key, value, ttlMs) {
      cache.set(key, value, { ttl: Math.max(1, ttlMs) });
    },
    async setIfAbsent(key, value, ttlMs) {
      if (cache.has(key)) return false;
      cache.set(key, value, { ttl: Math.max(1, ttlMs) });
      return true;
    },
    async deleteIfEquals(key, value) {
      if (cache.get(key) !== value) return false;
      return cache.delete(key);
    },
    async entries(prefix) {
      const found: [string, string][] = [];
      // get() drops an entry past its time to live (entries() would still list it).
      for (const key of [...cache.keys()]) {
        const value = key.startsWith(prefix) ? cache.get(key, { updateAgeOnGet: false }) : undefined;
        if (value !== undefined) found.push([key, value]);
      }
      return found;
    },
    async publish(channel, message) {
      for (const listener of channels.get(channel) ?? []) listener(message);
    },
    async subscribe(channel, onMessage) {
      let listeners = channels.get(channel);
      if (listeners === undefined) channels.set(channel, (listeners = new Set()));
      listeners.add(onMessage);
    },
    isAvailable: () => true,
    async close() {
      channels.clear();
      cache.clear();
    },
  };
}
