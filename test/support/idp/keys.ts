import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';

export const SIGNING_ALG = 'RS256';

/** The provider's signing key, plus a look-alike key used to forge bad signatures. */
export interface SigningKeys {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
  /** Same `kid`, different key: an RP that checks signatures must fail, one that doesn't will pass. */
  rogueKey(): Promise<CryptoKey>;
}

/**
 * Generates a fresh RSA key per provider so several providers in one test never share trust.
 * @see RFC 7517 (JSON Web Key)
 */
export async function generateSigningKeys(): Promise<SigningKeys> {
  const kid = randomBytes(8).toString('base64url');
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG);
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  // Lazy: RSA generation costs tens of ms and most tests never forge a signature.
  let rogue: Promise<CryptoKey> | undefined;
  const rogueKey = () => (rogue ??= generateKeyPair(SIGNING_ALG).then((pair) => pair.privateKey));
  return { kid, privateKey, publicKey, publicJwk, rogueKey };
}

/** An opaque, unguessable token value. */
export function randomToken(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}
