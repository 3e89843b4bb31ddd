import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import { appendSetCookie, parseCookies, serializeCookie, MAX_COOKIE_BYTES, type CookieAttributes } from './cookies.ts';
import { createSealer } from './seal.ts';
import { ESSENTIAL_CLAIMS, type SessionData } from './data.ts';
import { SessionCache } from './cache.ts';
import { createEndedSessions, type EndedSessions } from '../state/ended.ts';
import { createMemoryStore } from '../state/memory.ts';

/** Room left for `name=` and attributes inside the 4096-byte cookie limit. */
const CHUNK_BYTES = 3800;
/** More chunks would push the Cookie header toward common server limits (16–32 KB). */
export const MAX_CHUNKS = 5;
export { ENDED_SWEEP_AT } from '../state/ended.ts';

export type ReadResult =
  | { state: 'none' }
  | { state: 'expired' }
  | { state: 'active'; data: SessionData; raw: string };

export class SessionTooLarge extends Error {}

/**
 * The session lives only in the browser, sealed with iron-session and split across
 * `<name>`, `<name>.1`, … when it exceeds one cookie. Unsealed sessions are cached by their sealed
 * value: the seal is MAC-protected, so an equal string is the same session, and the cache saves
 * the ~1 ms of crypto that dominates a relay request.
 */
/** The first chunk's cookie name: `__Host-` on https, which pins it to this host and path `/`. */
export function sessionCookieName(config: Pick<Config, 'secureCookies'>): string {
  return config.secureCookies ? '__Host-bff-session' : 'bff-session';
}

export function createSessionStore(config: Config, now: () => number, ended: EndedSessions = localEndedSessions(config, now)) {
  const name = sessionCookieName(config);
  const sealer = createSealer(config.session.secrets);
  const cache = new SessionCache<SessionData>(config.session.cacheEntries, config.session.cacheBytes);
  const sealed = new WeakMap<SessionData, ReturnType<typeof sealToChunks>>();
  const ttl = config.session.absoluteTimeoutS;
  const attrs = (maxAge: number): CookieAttributes => ({ secure: config.secureCookies, sameSite: 'Strict', maxAge });
  const isOurs = (n: string) => n === name || n.startsWith(`${name}.`);
  // Re-seal for the idle clock at most this often, so most requests send no Set-Cookie.
  const touchEveryS = Math.max(1, Math.min(300, Math.floor(config.session.idleTimeoutS / 10)));

  function chunksOf(req: IncomingMessage): Map<string, string> {
    return parseCookies(req.headers.cookie, isOurs);
  }

  function joinChunks(chunks: Map<string, string>): string | undefined {
    const first = chunks.get(name);
    if (first === undefined) return undefined;
    let raw = first;
    for (let i = 1; i < MAX_CHUNKS; i++) {
      const next = chunks.get(`${name}.${i}`);
      if (next === undefined) break;
      raw += next;
    }
    return raw;
  }

  function isLive(data: SessionData, t: number): boolean {
    if (t - data.createdAt >= config.session.absoluteTimeoutS) return false;
    if (t - data.seenAt >= config.session.idleTimeoutS) return false;
    // Ended by our logout, a back-channel logout or a newer sign-in, here or on another instance.
    return !ended.isEnded(data);
  }

  function judge(data: SessionData, raw: string): ReadResult {
    if (isLive(data, now())) return { state: 'active', data, raw };
    cache.delete(raw);
    return { state: 'expired' };
  }

  async function unsealAndJudge(raw: string): Promise<ReadResult> {
    const data = await sealer.unseal<SessionData>(raw, ttl);
    if (data === undefined || data.v !== 1) return { state: 'expired' };
    cache.set(raw, data);
    return judge(data, raw);
  }

  /**
   * The request's session. Synchronous when no crypto is needed (no cookie, or a cached one), so
   * the relay's hot path allocates no promise for it; a Promise only when the seal must be opened.
   */
  function peek(req: IncomingMessage): ReadResult | Promise<ReadResult> {
    const raw = joinChunks(chunksOf(req));
    if (raw === undefined) return { state: 'none' };
    const cached = cache.get(raw);
    return cached === undefined ? unsealAndJudge(raw) : judge(cached, raw);
  }

  async function read(req: IncomingMessage): Promise<ReadResult> {
    return peek(req);
  }

  /** Whether the idle clock should be advanced (which costs a re-seal and a Set-Cookie). */
  function needsTouch(data: SessionData): boolean {
    return now() - data.seenAt >= touchEveryS;
  }

  /** The sealed session and what it actually holds (slimmed when the full session would not fit). */
  async function sealToChunks(data: SessionData): Promise<{ raw: string; chunks: string[]; stored: SessionData }> {
    let stored = data;
    let raw = await sealer.seal(stored, ttl);
    if (raw.length > CHUNK_BYTES * MAX_CHUNKS) {
      // Too big even split: keep the essential claims only (tokens are what the BFF cannot drop).
      const user = Object.fromEntries(ESSENTIAL_CLAIMS.filter((c) => c in data.user).map((c) => [c, data.user[c]])) as SessionData['user'];
      stored = { ...data, user };
      raw = await sealer.seal(stored, ttl);
      if (raw.length > CHUNK_BYTES * MAX_CHUNKS) throw new SessionTooLarge(`sealed session of ${raw.length} bytes exceeds ${MAX_CHUNKS} cookies`);
    }
    const chunks: string[] = [];
    for (let i = 0; i < raw.length; i += CHUNK_BYTES) chunks.push(raw.slice(i, i + CHUNK_BYTES));
    return { raw, chunks, stored };
  }

  /** Seals `data` into Set-Cookie lines on `res`, deleting chunks of an older, longer session. */
  async function write(req: IncomingMessage, res: ServerResponse, data: SessionData): Promise<string> {
    // Every request that waited on one refresh holds the same session object: seal it once.
    let sealing = sealed.get(data);
    if (sealing === undefined) {
      sealing = sealToChunks(data);
      sealed.set(data, sealing);
    }
    const { raw, chunks, stored } = await sealing;
    const maxAge = Math.max(1, data.createdAt + config.session.absoluteTimeoutS - now());
    const lines = chunks.map((c, i) => serializeCookie(i === 0 ? name : `${name}.${i}`, c, attrs(maxAge)));
    for (const old of chunksOf(req).keys()) {
      const i = old === name ? 0 : Number(old.slice(name.length + 1));
      if (!(i < chunks.length)) lines.push(serializeCookie(old, '', attrs(0)));
    }
    for (const line of lines) if (Buffer.byteLength(line) > MAX_COOKIE_BYTES) throw new SessionTooLarge('cookie over 4096 bytes');
    appendSetCookie(res, lines);
    cache.set(raw, stored);
    return raw;
  }

  /** Deletes every session chunk the browser sent (and the first one even if it sent none). */
  function clear(req: IncomingMessage, res: ServerResponse): void {
    const present = new Set(chunksOf(req).keys());
    present.add(name);
    appendSetCookie(res, [...present].map((n) => serializeCookie(n, '', attrs(0))));
  }

  /** Refuses this session id from now on, on every instance, whatever cookie still carries it. */
  function end(data: SessionData, raw: string): void {
    // Refused here at once; sharing it may fail (store down), which ended.ts logs.
    ended.endSession(data).catch(() => undefined);
    cache.delete(raw);
  }

  return { peek, read, write, clear, end, needsTouch, now, get endedCount() { return ended.size; } };
}

/** One process on its own (tests, embedders that pass no store). */
function localEndedSessions(config: Config, now: () => number): EndedSessions {
  return createEndedSessions(createMemoryStore(config.store.memoryBytes), { absoluteTimeoutS: config.session.absoluteTimeoutS, now });
}

export type SessionStore = ReturnType<typeof createSessionStore>;
