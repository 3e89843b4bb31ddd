/**
 * The header-name machinery both header policies (headers.ts) share: the hop-by-hop set, an
 * allocation-free case-insensitive lookup of raw names, and the `Connection` header's named tokens.
 */

/** Hop-by-hop headers (RFC 9110 §7.6.1 and the usual non-standard ones). Never relayed either way. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

/** What a policy does with a header name; names not listed pass through. */
export const PASS = 0;
export const DROP = 1;
export const CONNECTION = 2;
export const CONTENT_LENGTH = 3;
export const TRANSFER_ENCODING = 4;
export const METHOD_OVERRIDE = 5;

/**
 * Header names by length, for an allocation-free, case-insensitive lookup of raw (sender-cased)
 * names: `toLowerCase()` and hashing of the parser's fresh strings would cost more than the rest
 * of the policy together. Names here are lower-case letters, digits and `-` only, so comparing
 * `charCode | 0x20` is exact (it maps A–Z to a–z and maps no other token character onto those).
 */
export type NameIndex = ReadonlyArray<ReadonlyArray<readonly [string, number]> | undefined>;

export function nameIndex(entries: Iterable<readonly [string, number]>): NameIndex {
  const index: Array<Array<readonly [string, number]> | undefined> = [];
  for (const entry of entries) (index[entry[0].length] ??= []).push(entry);
  for (let i = 0; i < index.length; i++) index[i] ??= undefined;
  return index;
}

export function lookup(index: NameIndex, name: string): number {
  const n = name.length;
  const bucket = n < index.length ? index[n] : undefined;
  if (bucket === undefined) return PASS;
  outer: for (let b = 0; b < bucket.length; b++) {
    const [target, action] = bucket[b]!;
    for (let i = 0; i < n; i++) if ((name.charCodeAt(i) | 0x20) !== target.charCodeAt(i)) continue outer;
    return action;
  }
  return PASS;
}

/** Connection tokens that are not already dropped anyway (`keep-alive`, `close`, `upgrade`…). */
const CONNECTION_NOOP: ReadonlySet<string> = new Set([...HOP_BY_HOP, 'close', '']);

export function connectionTokens(value: string, into: string[] | undefined): string[] | undefined {
  const v = value.toLowerCase();
  if (CONNECTION_NOOP.has(v)) return into; // the common `keep-alive` / `close`
  for (const part of v.split(',')) {
    const token = part.trim();
    if (!CONNECTION_NOOP.has(token)) (into ??= []).push(token);
  }
  return into;
}

export function removeNamed(out: string[], from: number, named: readonly string[]): void {
  let w = from;
  for (let r = from; r < out.length; r += 2) {
    if (named.includes(out[r]!.toLowerCase())) continue;
    out[w++] = out[r]!;
    out[w++] = out[r + 1]!;
  }
  out.length = w;
}
