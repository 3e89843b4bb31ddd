import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Both the verifier and an S256 challenge are 43–128 unreserved characters.
 * @see RFC 7636 §4.1
 */
export function isPkceValue(value: string): boolean {
  return /^[A-Za-z0-9\-._~]{43,128}$/.test(value);
}

/**
 * Whether `verifier` hashes to `challenge` under S256 (the only method this provider accepts).
 * @see RFC 7636 §4.6
 */
export function verifyS256(verifier: string | null, challenge: string): boolean {
  if (verifier === null || !isPkceValue(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
