import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SessionStore } from './store.ts';
import type { FreshTokens } from './fresh.ts';
import type { SessionData } from './data.ts';
import { SessionExpired } from '../errors.ts';

export type Resolution =
  | { readonly state: 'none' }
  /** The browser sent a session that is over; its cookies are already being deleted. */
  | { readonly state: 'expired' }
  | { readonly state: 'active'; readonly data: SessionData; readonly raw: string };

export interface Want {
  /** Refresh the access token first when it is stale (the relay, `requireUser`); not for `/auth/session`. */
  readonly fresh: boolean;
  /** Advance the idle clock (every use but logout). */
  readonly touch: boolean;
}

const NONE: Resolution = { state: 'none' };
const EXPIRED: Resolution = { state: 'expired' };

/**
 * The one place a request's session is resolved: expired sessions are cleared from the browser,
 * the idle clock is touched, a stale access token is refreshed (single flight, grace), and the
 * cookie is rewritten when any of that changed it. Every route (the relay, `/auth/session`,
 * logout, the library's middleware) goes through here; none touches cookies itself.
 *
 * Synchronous when no crypto or I/O is needed (no cookie, or a cached session that needs no
 * refresh and no touch), so the relay's hot path allocates no promise.
 * A refresh the provider rejects ends the session and throws SessionExpired; an unreachable
 * provider throws ProviderUnavailable and keeps it.
 */
export function createSessionResolver(sessions: SessionStore, tokens: FreshTokens) {
  function settle(req: IncomingMessage, res: ServerResponse, current: Awaited<ReturnType<SessionStore['peek']>>, want: Want): Resolution | Promise<Resolution> {
    if (current.state === 'none') return NONE;
    if (current.state === 'expired') {
      sessions.clear(req, res);
      return EXPIRED;
    }
    if (want.fresh) tokens.seen(current.data);
    let stale = want.fresh && tokens.isStale(current.data);
    let data = current.data;
    if (stale) {
      // Refresh ahead: a token valid a while longer is used now (or its ready successor), no waiting.
      const ahead = tokens.ahead(current.data);
      if (ahead !== undefined) {
        stale = false;
        data = ahead.session;
      }
    }
    const touch = want.touch && sessions.needsTouch(data);
    if (!stale && !touch && data === current.data) return current;
    return update(req, res, current, data, stale, touch);
  }

  async function update(req: IncomingMessage, res: ServerResponse, current: { data: SessionData; raw: string }, given: SessionData, stale: boolean, touch: boolean): Promise<Resolution> {
    let data = given;
    if (stale) {
      try {
        data = (await tokens.ensureFresh(data)).session;
      } catch (err) {
        if (err instanceof SessionExpired) {
          sessions.end(current.data, current.raw);
          sessions.clear(req, res);
        }
        throw err;
      }
    }
    // A refreshed session is already touched, and every request that waited on that refresh holds
    // the same object, so the store seals it once for all of them: copy it only when still needed.
    if (touch && sessions.needsTouch(data)) data = { ...data, seenAt: sessions.now() };
    const raw = await sessions.write(req, res, data);
    return { state: 'active', data, raw };
  }

  function resolve(req: IncomingMessage, res: ServerResponse, want: Want): Resolution | Promise<Resolution> {
    const peeked = sessions.peek(req);
    return peeked instanceof Promise ? peeked.then((current) => settle(req, res, current, want)) : settle(req, res, peeked, want);
  }

  return { resolve };
}

export type SessionResolver = ReturnType<typeof createSessionResolver>;
