import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { JWKS } from 'oidc-provider';

// Signing keys of the demo provider. Without keysDir a fresh key pair is generated on every
// start (tokens from a previous run then simply stop verifying, which is fine for a demo).
// With keysDir the private JWKS is persisted so sessions survive restarts; that folder is
// git-ignored (`.demo-keys/`) and must never be committed.

export const SIGNING_ALG = 'RS256';
const FILE_NAME = 'jwks.json';

export async function generateSigningJwks(): Promise<JWKS> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { keys: [{ ...jwk, kid, alg: SIGNING_ALG, use: 'sig' }] };
}

function isJwks(value: unknown): value is JWKS {
  if (typeof value !== 'object' || value === null) return false;
  const { keys } = value as { keys?: unknown };
  return Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === 'object' && k !== null && 'd' in k);
}

export async function loadOrCreateJwks(keysDir: string | undefined): Promise<JWKS> {
  if (!keysDir) return generateSigningJwks();
  const file = join(keysDir, FILE_NAME);
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (isJwks(parsed)) return parsed;
    throw new Error(`${file} is not a private JWKS; delete it to have a new one generated`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const jwks = await generateSigningJwks();
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  // Private key material: readable by the owner only.
  await writeFile(file, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600 });
  return jwks;
}

/** Path of the persisted JWKS inside keysDir (tests read it to mint tokens with the provider's key). */
export function jwksFile(keysDir: string): string {
  return join(keysDir, FILE_NAME);
}
