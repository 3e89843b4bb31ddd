import { isIPv6 } from 'node:net';

/** Addresses remembered at once; past it the least recently seen one is forgotten (a fresh bucket). */
const MAX_ADDRESSES = 10_000;

/**
 * The client a login is counted against: the socket's address (never a client-sent header), an
 * IPv4-mapped address as plain IPv4, and an IPv6 address by its /64, which one client usually holds whole.
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * A token bucket per client address: `perMinute` logins at once, refilled at `perMinute` a minute.
 * Each `/auth/login` hands out a transaction that can make the BFF call the provider, so one client
 * must not be able to ask for them without bound. Memory stays bounded by MAX_ADDRESSES.
 */
export function createLoginLimit(perMinute: number, nowMs: () => number, maxAddresses = MAX_ADDRESSES) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = perMinute / 60_000;

  /** Takes one login for `key`: 0 when allowed, else the whole seconds until the next one is. */
  function take(key: string): number {
    const t = nowMs();
    const bucket = buckets.get(key);
    const tokens = bucket ? Math.min(perMinute, bucket.tokens + (t - bucket.at) * perMs) : perMinute;
    buckets.delete(key); // re-inserted at the back: Map order is least recently seen first
    if (tokens < 1) {
      buckets.set(key, { tokens, at: t });
      return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
    }
    buckets.set(key, { tokens: tokens - 1, at: t });
    if (buckets.size > maxAddresses) buckets.delete(buckets.keys().next().value as string);
    return 0;
  }

  return { take, get size() { return buckets.size; } };
}
