import { createHash } from 'node:crypto';
import type { Sealer } from '../session/seal.ts';
import type { CachedClientToken, SharedClientTokens } from '../tokens/client-credentials.ts';
import type { StateStore } from './store.ts';

/**
 * Client-credentials tokens shared by every instance, so N instances make one grant per (scope,
 * resource) and token lifetime rather than N. Sealed with the session keys: whoever reads Redis
 * does not get a bearer token. Kept until the token expires.
 */
export function sharedClientTokens(store: StateStore, sealer: Sealer, nowMs: () => number): SharedClientTokens {
  const keyOf = (key: string) => `cc:${createHash('sha256').update(key).digest('base64url')}`;
  return {
    async get(key) {
      const sealed = await store.get(keyOf(key));
      return sealed === undefined ? undefined : sealer.unseal<CachedClientToken>(sealed, 24 * 3600);
    },
    async set(key, entry) {
      const ttlMs = entry.token.expiresAt * 1000 - nowMs();
      if (ttlMs <= 0) return;
      await store.set(keyOf(key), await sealer.seal(entry, Math.ceil(ttlMs / 1000)), ttlMs);
    },
  };
}
