import type { SessionData } from './data.ts';
import { singleFlight } from '../tokens/single-flight.ts';
import { SessionExpired } from '../errors.ts';

/** How long a superseded refresh token maps to its successor's result (requests already in flight); `TOKEN_REFRESH_GRACE_S`. */
export const GRACE_MS = 60_000;
/** Inside the refresh window, a token still valid this long is used while the refresh runs in the background. */
export const AHEAD_MIN_VALIDITY_S = 10;
/** After a background refresh failed, the next one for that token waits this long (no storm on a provider that is down). */
const AHEAD_RETRY_MS = 5_000;

/** A refresh-token grant; `keepMs` is how long its result must stay findable under the old refresh token. */
type Refresh = (session: SessionData, keepMs?: number) => Promise<SessionData>;

/**
 * Keeps access tokens fresh without racing the provider:
 * - single flight: every request of a session that finds the token stale waits on one refresh;
 * - refresh ahead: inside the refresh window, a token valid for more than
 *   {@link AHEAD_MIN_VALIDITY_S} is used at once while the refresh runs in the background; the
 *   new cookie leaves with the session's next response;
 * - grace: a request still carrying the cookie from before a rotation gets the successor's tokens
 *   instead of replaying the rotated refresh token, which a provider with reuse detection answers
 *   by revoking the whole grant. After a background refresh the browser may not come back for a
 *   long time, still holding the old cookie: that successor is kept for the old cookie's whole life,
 *   and only shortened to the grace period once a request shows the browser has the new cookie.
 * Keyed by the refresh token itself: that is what identifies the grant at the provider. A provider
 * that does not rotate (RFC 6749 §6 allows it) answers without a new refresh token, so a successor
 * may carry the very key it is stored under: the chain is walked with each key visited once, and a
 * stale end of the chain is refreshed (single flight) rather than followed again.
 */
/**
 * `oldCookieLifeMs`: how long the cookie a session had when its tokens were refreshed in the
 * background can still come back (its idle and absolute timeouts); default the grace period.
 * `onCoalesced`: a stale token served by a refresh already running or just done (the
 * `coalesced` outcome of the refresh metric), rather than by a new call to the provider.
 */
export function createFreshTokens(
  refresh: Refresh,
  skewS: number,
  nowMs: () => number = Date.now,
  graceMs = GRACE_MS,
  oldCookieLifeMs: (session: SessionData) => number = () => graceMs,
  onCoalesced: () => void = () => {},
) {
  // A window narrower than the minimum validity leaves nothing to do ahead: every refresh waits.
  const waitBelowS = Math.min(AHEAD_MIN_VALIDITY_S, skewS);
  const inFlight = new Map<string, Promise<SessionData>>();
  const grace = new Map<string, { next: SessionData; until: number }>();
  /** A successor's refresh token → the token it replaced: its use proves the browser has the new cookie. */
  const replaced = new Map<string, string>();
  const failedAt = new Map<string, number>();
  let sweptAt = 0;

  function isStale(session: SessionData): boolean {
    return session.atExp - skewS <= nowMs() / 1000;
  }

  /** Entries have different lives (grace, or an old cookie's life): a full pass, at most once a second. */
  function sweep(t: number): void {
    if (t - sweptAt < 1000) return;
    sweptAt = t;
    for (const [rt, g] of grace) {
      if (g.until > t) continue;
      grace.delete(rt);
      if (g.next.rt !== undefined && replaced.get(g.next.rt) === rt) replaced.delete(g.next.rt);
    }
    for (const [rt, at] of failedAt) if (t - at > AHEAD_RETRY_MS) failedAt.delete(rt);
  }

  /** A request with a successor's cookie: the browser has it, so the old one only needs the grace period. */
  function confirm(session: SessionData, t: number): void {
    const old = session.rt === undefined ? undefined : replaced.get(session.rt);
    if (old === undefined) return;
    replaced.delete(session.rt!);
    const entry = grace.get(old);
    if (entry !== undefined && entry.until > t + graceMs) entry.until = t + graceMs;
  }

  /** The newest known session of this grant: successors followed, never to a key seen before. */
  function latest(session: SessionData): SessionData {
    const seen = new Set<string>();
    const t = nowMs();
    let current = session;
    while (current.rt !== undefined && !seen.has(current.rt)) {
      seen.add(current.rt);
      const successor = grace.get(current.rt);
      // Expiry is judged here, not by the sweep (which runs at most once a second).
      if (successor === undefined || successor.until <= t) break;
      current = successor.next;
    }
    return current;
  }

  /** One refresh per refresh token at a time; its result becomes the token's successor, kept `keepMs`. */
  function refreshOnce(session: SessionData, rt: string, keepMs: number): Promise<SessionData> {
    if (inFlight.has(rt)) onCoalesced();
    return singleFlight(inFlight, rt, () =>
      refresh(session, keepMs).then((next) => {
        grace.set(rt, { next, until: nowMs() + keepMs });
        if (next.rt !== undefined && next.rt !== rt) replaced.set(next.rt, rt);
        return next;
      }),
    );
  }

  /** The session with a usable access token, waiting for the provider; `changed` when the caller must send a new cookie. */
  async function ensureFresh(session: SessionData): Promise<{ session: SessionData; changed: boolean }> {
    if (!isStale(session)) return { session, changed: false };
    const rt = session.rt;
    if (rt === undefined) throw new SessionExpired(); // nothing to refresh with: the session is over
    const t = nowMs();
    sweep(t);
    confirm(session, t);
    const newest = latest(session);
    if (!isStale(newest)) {
      onCoalesced();
      return { session: newest, changed: true };
    }
    // No successor, or one gone stale too (short tokens, long grace): refresh from the newest.
    return { session: await refreshOnce(newest, newest.rt ?? rt, graceMs), changed: true };
  }

  /**
   * Refresh ahead, synchronously: the session to use now when no request has to wait for the
   * provider (a successor is ready, or the token is still valid long enough and a background
   * refresh has been started); undefined when the token is about to expire and the caller must
   * {@link ensureFresh}.
   */
  function ahead(session: SessionData): { session: SessionData; changed: boolean } | undefined {
    if (!isStale(session)) return { session, changed: false };
    const t = nowMs();
    sweep(t);
    confirm(session, t);
    const newest = latest(session);
    if (newest !== session) onCoalesced();
    if (!isStale(newest)) return { session: newest, changed: newest !== session };
    if (newest.atExp - waitBelowS <= t / 1000 || newest.rt === undefined) return undefined;
    const rt = newest.rt;
    if (!inFlight.has(rt) && !failedAt.has(rt)) {
      // The cookie the browser holds now may be the last it gets for a while: keep the successor for its life.
      refreshOnce(newest, rt, Math.max(graceMs, oldCookieLifeMs(session))).catch(() => failedAt.set(rt, nowMs()));
    }
    return { session: newest, changed: newest !== session };
  }

  /** Every request with a fresh token passes here (a Map lookup): a successor's cookie in use shortens its predecessor's keep. */
  function seen(session: SessionData): void {
    if (replaced.size > 0) confirm(session, nowMs());
  }

  return { ensureFresh, ahead, seen, isStale, get graceEntries() { return grace.size; } };
}

export type FreshTokens = ReturnType<typeof createFreshTokens>;
