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
 *
 * Bounded twice: by entries, and by bytes. A big session (15 KB of cookies) holds its sealed value
 * and the unsealed tokens and claims, so a count alone would let many large sessions take hundreds
 * of megabytes.
 */
const TAIL = 64;

interface Entry<V> {
  raw: string;
  value: V;
  seq: number;
  bytes: number;
}

/**
 * What an entry holds, roughly: the sealed string (one byte per character) plus its unsealed
 * value, which is the seal's base64 payload decoded and parsed: about as large again.
 */
export function entryBytes(raw: string): number {
  return 2 * raw.length + 200;
}

export class SessionCache<V> {
  readonly #map = new Map<string, Entry<V>>();
  #seq = 0;
  #bytes = 0;
  constructor(
    readonly max: number,
    readonly maxBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  get(raw: string): V | undefined {
    const key = raw.slice(-TAIL);
    const entry = this.#map.get(key);
    if (entry === undefined || entry.raw !== raw) return undefined;
    if (this.#seq - entry.seq > this.max >> 1) this.#insert(key, entry);
    return entry.value;
  }

  set(raw: string, value: V): void {
    const bytes = entryBytes(raw);
    if (bytes > this.maxBytes) return; // never worth evicting everything else for
    this.#insert(raw.slice(-TAIL), { raw, value, seq: 0, bytes });
    this.#bytes += bytes;
    while (this.#map.size > this.max || this.#bytes > this.maxBytes) this.#remove(this.#map.keys().next().value as string);
  }

  delete(raw: string): void {
    const key = raw.slice(-TAIL);
    if (this.#map.get(key)?.raw === raw) this.#remove(key);
  }

  get size(): number {
    return this.#map.size;
  }

  /** What the entries hold, by {@link entryBytes}. */
  get bytes(): number {
    return this.#bytes;
  }

  #remove(key: string): void {
    const entry = this.#map.get(key);
    if (entry === undefined) return;
    this.#map.delete(key);
    this.#bytes -= entry.bytes;
  }

  #insert(key: string, entry: Entry<V>): void {
    entry.seq = ++this.#seq;
    const old = this.#map.get(key);
    // A re-insert of the same entry (moving it back) keeps its bytes counted once.
    if (old !== undefined && old !== entry) this.#bytes -= old.bytes;
    this.#map.delete(key);
    this.#map.set(key, entry);
  }
}
