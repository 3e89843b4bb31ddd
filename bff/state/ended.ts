import type { Logger } from '../log.ts';
import type { SessionData } from '../session/data.ts';
import type { StateStore } from './store.ts';

/** Local entries past which the expired ones are swept (each stays until the absolute timeout). */
export const ENDED_SWEEP_AT = 100_000;
const CHANNEL = 'ended';
const KEY = 'ended:';

/**
 * How a session ends beyond its cookie: its BFF session id (our own logout, a replaced session), the
 * provider's `sid` (back-channel logout of one provider session), or the provider's `sub` with a
 * time (every session of that user signed in up to then; later sign-ins live).
 */
export type Ending =
  | { kind: 'session'; id: string; until: number }
  | { kind: 'psid'; iss: string; id: string; until: number }
  | { kind: 'sub'; iss: string; id: string; at: number; until: number };

function localKey(e: Ending): string {
  return e.kind === 'session' ? `session|${e.id}` : `${e.kind}|${e.iss}|${e.id}`;
}

function parseEnding(raw: string): Ending | undefined {
  try {
    const e = JSON.parse(raw) as Partial<Ending> & Record<string, unknown>;
    if (typeof e.id !== 'string' || typeof e.until !== 'number') return undefined;
    if (e.kind === 'session') return { kind: 'session', id: e.id, until: e.until };
    if (typeof e.iss !== 'string') return undefined;
    if (e.kind === 'psid') return { kind: 'psid', iss: e.iss, id: e.id, until: e.until };
    if (e.kind === 'sub' && typeof e.at === 'number') return { kind: 'sub', iss: e.iss, id: e.id, at: e.at, until: e.until };
  } catch {
    // A foreign or corrupt message: ignored, never a crash.
  }
  return undefined;
}

/**
 * The denylist of ended sessions: a local map checked synchronously on every request (so a request
 * whose token is fresh pays no round trip to the store), fed by the store: an ending is written
 * there (so a new instance loads it at start) and published (so running instances learn it within
 * a second). Entries expire when no session they could match can still be alive.
 */
export function createEndedSessions(store: StateStore, options: { absoluteTimeoutS: number; now: () => number; log?: Logger }) {
  const { now, log } = options;
  const local = new Map<string, Ending>();
  const listeners: (() => void)[] = [];

  function learn(e: Ending): void {
    if (e.until <= now()) return;
    const key = localKey(e);
    const known = local.get(key);
    // A later `sub` logout covers more sessions; a repeated one changes nothing.
    if (known && known.kind === 'sub' && e.kind === 'sub' && known.at >= e.at) return;
    local.set(key, e);
    if (local.size > ENDED_SWEEP_AT) for (const [k, v] of local) if (v.until <= now()) local.delete(k);
    // A repeat (a reload after reconnection) changes nothing: only news is told.
    if (known === undefined || e.kind === 'sub') for (const listener of listeners) listener();
  }

  function isEnded(data: SessionData): boolean {
    if (local.size === 0) return false;
    if (local.has(`session|${data.sid}`)) return true;
    if (data.psid !== undefined && local.has(`psid|${data.iss}|${data.psid}`)) return true;
    const bySub = local.get(`sub|${data.iss}|${data.user.sub}`);
    // Signed in at or before the logout: over. Signing in again later starts a live session.
    return bySub?.kind === 'sub' && data.createdAt <= bySub.at;
  }

  /** Known here at once; the store and the other instances learn it asynchronously. */
  async function end(e: Ending): Promise<void> {
    learn(e);
    const raw = JSON.stringify(e);
    const ttlMs = (e.until - now()) * 1000;
    try {
      await store.set(KEY + localKey(e), raw, ttlMs);
      await store.publish(CHANNEL, raw);
    } catch (err) {
      log?.warn({ event: 'ended_session_not_shared', kind: e.kind, reason: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** Every ending the store holds (at start, and after a reconnection that may have missed messages). */
  async function load(): Promise<void> {
    for (const [, raw] of await store.entries(KEY)) {
      const e = parseEnding(raw);
      if (e) learn(e);
    }
  }

  async function start(): Promise<void> {
    await store.subscribe(CHANNEL, (message) => {
      if (message === undefined) void load().catch(() => undefined);
      else {
        const e = parseEnding(message);
        if (e) learn(e);
      }
    });
    await load().catch((err: unknown) => log?.warn({ event: 'ended_sessions_not_loaded', reason: err instanceof Error ? err.message : String(err) }));
  }

  return {
    isEnded,
    end,
    start,
    /** Ends this BFF session everywhere: a replayed copy of its cookie is anonymous on every instance. */
    endSession: (data: SessionData) => end({ kind: 'session', id: data.sid, until: data.createdAt + options.absoluteTimeoutS }),
    /** Runs after every ending learned: this instance's logouts, a back-channel logout, another instance's message. */
    onEnded: (listener: () => void) => void listeners.push(listener),
    get size() { return local.size; },
  };
}

export type EndedSessions = ReturnType<typeof createEndedSessions>;
