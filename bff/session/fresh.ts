import type { SessionData } from './data.ts';
import { singleFlight } from '../tokens/single-flight.ts';
import { SessionExpired } from '../errors.ts';

/** How long a superseded refresh token maps to its successor's result (requests already in flight); `TOKEN_REFRESH_GRACE_S`. */
export const GRACE_MS = 60_000;

type Refresh = (session: SessionData) => Promise<SessionData>;

/**
 * Keeps access tokens fresh without racing the provider:
 * - single flight: every request of a session that finds the token stale waits on one refresh;
 * - grace: a request still carrying the cookie from before a rotation (it left the browser before
 *   the new cookie arrived) gets the successor's tokens instead of replaying the rotated refresh
 *   token, which a provider with reuse detection answers by revoking the whole grant.
 * Keyed by the refresh token itself: that is what identifies the grant at the provider. A provider
 * that does not rotate (RFC 6749 §6 allows it) answers without a new refresh token, so a successor
 * may carry the very key it is stored under: the chain is walked with each key visited once, and a
 * stale end of the chain is refreshed (single flight) rather than followed again.
 */
export function createFreshTokens(refresh: Refresh, skewS: number, nowMs: () => number = Date.now, graceMs = GRACE_MS) {
  const inFlight = new Map<string, Promise<SessionData>>();
  const grace = new Map<string, { next: SessionData; until: number }>();

  function isStale(session: SessionData): boolean {
    return session.atExp - skewS <= nowMs() / 1000;
  }

  function sweep(t: number): void {
    for (const [rt, g] of grace) {
      if (g.until > t) break; // insertion order is expiry order
      grace.delete(rt);
    }
  }

  /** The newest known session of this grant: successors followed, never to a key seen before. */
  function latest(session: SessionData): SessionData {
    const seen = new Set<string>();
    let current = session;
    while (current.rt !== undefined && !seen.has(current.rt)) {
      seen.add(current.rt);
      const successor = grace.get(current.rt);
      if (successor === undefined) break;
      current = successor.next;
    }
    return current;
  }

  /** One refresh per refresh token at a time; its result becomes the token's successor. */
  function refreshOnce(session: SessionData, rt: string): Promise<SessionData> {
    return singleFlight(inFlight, rt, () =>
      refresh(session).then((next) => {
        grace.delete(rt); // re-inserted at the back: insertion order stays expiry order
        grace.set(rt, { next, until: nowMs() + graceMs });
        return next;
      }),
    );
  }

  /** The session with a usable access token; `changed` when the caller must send a new cookie. */
  async function ensureFresh(session: SessionData): Promise<{ session: SessionData; changed: boolean }> {
    if (!isStale(session)) return { session, changed: false };
    const rt = session.rt;
    if (rt === undefined) throw new SessionExpired(); // nothing to refresh with: the session is over
    sweep(nowMs());
    const newest = latest(session);
    if (!isStale(newest)) return { session: newest, changed: true };
    // No successor, or one gone stale too (short tokens, long grace): refresh from the newest.
    return { session: await refreshOnce(newest, newest.rt ?? rt), changed: true };
  }

  return { ensureFresh, isStale };
}

export type FreshTokens = ReturnType<typeof createFreshTokens>;
