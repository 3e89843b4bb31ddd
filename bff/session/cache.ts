/**
 * A bounded map from a sealed cookie value to what it unseals to, oldest evicted first.
 *
 * Keyed by the seal's tail, not the whole value: hashing a fresh 1–20 KB string on every request
 * costs microseconds, the tail (which ends with the seal's HMAC) is 64 characters. A hit still
 * compares the whole value, so a cookie that merely shares a tail never gets another's session.
 *
 * Recency is approximate: moving an entry to the back of a Map (delete + set) on every hit costs
 * more than the rest of the relay's hot path, so an entry is moved only once it has drifted into
 * the older half. A session in use is never evicted; a hit costs a lookup and a compare.
 */
const TAIL = 64;

interface Entry<V> {
  raw: string;
  value: V;
  seq: number;
}

export class SessionCache<V> {
  readonly #map = new Map<string, Entry<V>>();
  #seq = 0;
  constructor(readonly max: number) {}

  get(raw: string): V | undefined {
    const key = raw.slice(-TAIL);
    const entry = this.#map.get(key);
    if (entry === undefined || entry.raw !== raw) return undefined;
    if (this.#seq - entry.seq > this.max >> 1) this.#insert(key, entry);
    return entry.value;
  }

  set(raw: string, value: V): void {
    this.#insert(raw.slice(-TAIL), { raw, value, seq: 0 });
    if (this.#map.size > this.max) this.#map.delete(this.#map.keys().next().value as string);
  }

  delete(raw: string): void {
    const key = raw.slice(-TAIL);
    if (this.#map.get(key)?.raw === raw) this.#map.delete(key);
  }

  get size(): number {
    return this.#map.size;
  }

  #insert(key: string, entry: Entry<V>): void {
    entry.seq = ++this.#seq;
    this.#map.delete(key);
    this.#map.set(key, entry);
  }
}
