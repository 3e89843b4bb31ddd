/** The encodings the build writes beside each file (build/compress.ts), best first. */
export const PRECOMPRESSED = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
] as const;

export type Precompressed = (typeof PRECOMPRESSED)[number];

/**
 * The precompressed variant to send for an `Accept-Encoding` header, or undefined for identity.
 * The highest q-value wins and brotli wins a tie (it is smaller); `q=0` means "not acceptable",
 * and `*` stands for any coding the header does not name.
 * @see RFC 9110 §12.5.3
 */
export function pickEncoding(header: string | undefined): Precompressed | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    let weight = 1;
    for (const param of params) {
      const match = /^q=([01](?:\.\d{0,3})?)$/.exec(param.replace(/\s+/g, ''));
      if (match) weight = Number(match[1]);
    }
    q.set(name, Math.max(Math.min(weight, 1), 0));
  }
  let best: Precompressed | undefined;
  let bestQ = 0;
  for (const candidate of PRECOMPRESSED) {
    const weight = q.get(candidate.coding) ?? q.get('*') ?? 0;
    if (weight > bestQ) {
      best = candidate;
      bestQ = weight;
    }
  }
  return best;
}
