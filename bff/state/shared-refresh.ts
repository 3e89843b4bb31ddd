import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { SessionData } from '../session/data.ts';
import type { Sealer } from '../session/seal.ts';
import { ProviderUnavailable, SessionExpired } from '../errors.ts';
import type { StateStore } from './store.ts';

export interface SharedRefreshOptions {
  /** How long a lock holder may take (a slow provider: discovery plus the token call, with margin). */
  leaseMs: number;
  /** How long a successor is kept for requests still carrying the pre-rotation cookie. */
  graceMs: number;
  isStale(session: SessionData): boolean;
  /** Between two looks at the store while another instance refreshes. */
  pollMs?: number;
  log?: Logger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The store keys of one refresh token's lock and successor: named by its hash, never the token. */
export function refreshKeys(rt: string): { lock: string; next: string } {
  const id = createHash('sha256').update(rt).digest('base64url');
  return { lock: `refresh-lock:${id}`, next: `refresh-next:${id}` };
}

/**
 * The refresh of a session's tokens made once across every instance: a Redis lock per refresh
 * token (SET NX PX, a lease long enough for a slow provider, released only by its owner), and the
 * result kept (sealed with the session keys) for the grace period, so a request on any instance
 * carrying the superseded refresh token gets the successor instead of redeeming a rotated token.
 * Keys hold a hash of the refresh token, never the token. Wraps the provider call that
 * session/fresh.ts makes, which keeps its own in-process single flight in front of this.
 * A store that cannot be reached means 503 `store_unavailable`: refreshing without the lock could
 * redeem a rotated token twice, which a provider with reuse detection punishes by revoking the grant.
 */
export function sharedRefresh(store: StateStore, sealer: Sealer, refresh: (s: SessionData) => Promise<SessionData>, options: SharedRefreshOptions) {
  const pollMs = options.pollMs ?? 25;
  /** Seals outlive no session: the longest a successor is kept (a refresh ahead keeps it for the old cookie's whole life). */
  const sealTtlS = (keepMs: number) => Math.max(1, Math.ceil(keepMs / 1000));

  /** The successor stored under a token, fresh or not (undefined when none or unreadable). */
  async function successor(key: string): Promise<SessionData | undefined> {
    const sealed = await store.get(key);
    // iron-session checks the seal's own TTL; the store's expiry is what bounds how long it is found.
    return sealed === undefined ? undefined : sealer.unseal<SessionData>(sealed, 0);
  }

  /**
   * Where to go from a token's successor: itself when fresh; when stale and holding a newer refresh
   * token, that token's own refresh (never the rotated one again); when stale with the same token
   * (a provider that does not rotate), a refresh of the successor under this lock.
   */
  function follow(next: SessionData | undefined, rt: string): Promise<SessionData> | SessionData | undefined {
    if (next === undefined) return undefined;
    if (!options.isStale(next)) return next;
    if (next.rt !== undefined && next.rt !== rt) return refreshOnceEverywhere(next, options.graceMs);
    return undefined;
  }

  async function refreshAsOwner(session: SessionData, rt: string, lockKey: string, graceKey: string, owner: string, keepMs: number): Promise<SessionData> {
    let next: SessionData;
    try {
      // Another instance may have finished between our look and our lock.
      const latest = await successor(graceKey);
      const followed = follow(latest, rt);
      if (followed !== undefined) {
        await store.deleteIfEquals(lockKey, owner);
        return await followed;
      }
      next = await refresh(latest ?? session);
    } catch (err) {
      await store.deleteIfEquals(lockKey, owner).catch(() => undefined);
      throw err;
    }
    try {
      await store.set(graceKey, await sealer.seal(next, sealTtlS(keepMs)), keepMs);
      await store.deleteIfEquals(lockKey, owner);
    } catch (err) {
      // The lock stays until its lease ends: nobody redeems the rotated token meanwhile.
      options.log?.warn({ event: 'refresh_not_shared', reason: err instanceof Error ? err.message : String(err) });
    }
    return next;
  }

  /** `keepMs`: how long the successor stays findable under the old refresh token (default the grace period). */
  async function refreshOnceEverywhere(session: SessionData, keepMs: number = options.graceMs): Promise<SessionData> {
    const rt = session.rt;
    if (rt === undefined) throw new SessionExpired();
    const { lock: lockKey, next: graceKey } = refreshKeys(rt);
    const owner = randomBytes(16).toString('base64url');
    const giveUpAt = Date.now() + options.leaseMs + 1000;
    for (;;) {
      const followed = follow(await successor(graceKey), rt);
      if (followed !== undefined) return followed;
      if (await store.setIfAbsent(lockKey, owner, options.leaseMs)) return refreshAsOwner(session, rt, lockKey, graceKey, owner, Math.max(keepMs, options.graceMs));
      // A lock outliving its lease cannot happen (PX); a holder that died lets us in when it expires.
      if (Date.now() > giveUpAt) throw new ProviderUnavailable();
      await sleep(pollMs);
    }
  }

  return refreshOnceEverywhere;
}
