import type { SessionData } from './data.ts';

/** How long a superseded refresh token maps to its successor's result (requests already in flight). */
export const GRACE_MS = 60_000;

type Refresh = (session: SessionData) => Promise<SessionData>;

/**
 * Keeps access tokens fresh without racing the provider:
 * - single flight: every request of a session that finds the token stale waits on one refresh;
 * - grace: a request still carrying the cookie from before a rotation (it left the browser before
 *   the new cookie arrived) gets the successor's tokens instead of replaying the rotated refresh
 *   token, which a provider with reuse detection answers by revoking the whole grant.
 * Keyed by the refresh token itself: that is what identifies the grant at the provider.
 */
export function createFreshTokens(refresh: Refresh, skewS: number, nowMs: () => number = Date.now) {
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

  /** The session with a usable access token; `changed` when the caller must send a new cookie. */
  async function ensureFresh(session: SessionData): Promise<{ session: SessionData; changed: boolean }> {
    if (!isStale(session)) return { session, changed: false };
    const rt = session.rt;
    if (rt === undefined) return { session: await refresh(session), changed: true }; // throws SessionExpired
    const t = nowMs();
    sweep(t);
    const successor = grace.get(rt);
    if (successor) {
      // The successor may itself be stale by now (long grace, short tokens): follow the chain.
      return { session: (await ensureFresh(successor.next)).session, changed: true };
    }
    let pending = inFlight.get(rt);
    if (!pending) {
      pending = refresh(session).then(
        (next) => {
          inFlight.delete(rt);
          grace.set(rt, { next, until: nowMs() + GRACE_MS });
          return next;
        },
        (err: unknown) => {
          inFlight.delete(rt);
          throw err;
        },
      );
      inFlight.set(rt, pending);
    }
    return { session: await pending, changed: true };
  }

  return { ensureFresh, isStale };
}

export type FreshTokens = ReturnType<typeof createFreshTokens>;
