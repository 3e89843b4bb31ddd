import { createHash } from 'node:crypto';
import { sealData, unsealData } from 'iron-session';

/**
 * iron-session's seal with key rotation: the first secret seals, every secret unseals. Each secret's
 * iron password id is derived from the secret itself, so adding or removing secrets never changes
 * the id of one still in use (positional ids would).
 */
export interface Sealer {
  seal(data: object, ttlS: number): Promise<string>;
  /** The data, or undefined when the seal is bad, expired or made with an unknown secret. */
  unseal<T extends object>(sealed: string, ttlS: number): Promise<T | undefined>;
}

function passwordId(secret: string): number {
  return createHash('sha256').update(secret).digest().readUInt32BE(0);
}

export function createSealer(secrets: readonly string[]): Sealer {
  const [current] = secrets;
  if (!current) throw new Error('at least one session secret is required');
  const sealWith = { [passwordId(current)]: current };
  const unsealWith = Object.fromEntries(secrets.map((s) => [passwordId(s), s]));
  return {
    seal: (data, ttlS) => sealData(data, { password: sealWith, ttl: ttlS }),
    async unseal<T extends object>(sealed: string, ttlS: number): Promise<T | undefined> {
      // iron-session's `~2` version suffix is outside the MAC and parsed leniently (`~2junk` reads
      // as 2): accept exactly one `~2` at the very end, so one session has exactly one spelling.
      if (sealed.indexOf('~') !== sealed.length - 2 || !sealed.endsWith('~2')) return undefined;
      try {
        const data = await unsealData<T>(sealed, { password: unsealWith, ttl: ttlS });
        // iron-session answers {} for a bad MAC, an expired seal or an unknown password id.
        return Object.keys(data).length === 0 ? undefined : data;
      } catch {
        // Malformed input (truncated, not base64): a bad cookie, never a server error.
        return undefined;
      }
    },
  };
}
