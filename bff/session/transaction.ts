import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import { appendSetCookie, parseCookies, serializeCookie } from './cookies.ts';
import { createSealer } from './seal.ts';
import type { StepUpAsk } from '../oidc/login-params.ts';

/** What must survive the round trip to the provider (RFC 6749 §10.12, RFC 7636, OIDC Core §3.1.2.1). */
export interface LoginTransaction {
  state: string;
  nonce: string;
  code_verifier: string;
  returnTo: string;
  /** The provider the login went to: the callback accepts an answer from it only (mix-up, RFC 9207). */
  provider: string;
  /** `none`: a silent sign-in, whose "must interact" errors go back to returnTo. */
  prompt?: string;
  /** What the login asked for, checked against the ID token before the session is upgraded. */
  ask?: StepUpAsk;
}

/** Long enough to sign in with MFA, short enough that a stolen cookie is soon useless. */
export const TRANSACTION_TTL_S = 600;

/**
 * Consumed states remembered at most (~100 bytes each: our own 43-character states, sealed, so no
 * client picks their size). Past it the oldest is forgotten early; its code, if replayed, is still
 * single-use at the provider.
 */
export const MAX_CONSUMED = 20_000;

/**
 * The login-transaction cookie: sealed, short-lived, `SameSite=Lax` (the provider's redirect back is
 * a cross-site top-level navigation) and single-use: a consumed state is remembered until the
 * cookie would have expired, so a replayed cookie is refused before anything reaches the provider.
 */
export function createTransactionStore(config: Config, now: () => number, maxConsumed = MAX_CONSUMED, usedOnceEverywhere?: (key: string, ttlMs: number) => Promise<boolean>) {
  const name = config.secureCookies ? '__Host-bff-tx' : 'bff-tx';
  const sealer = createSealer(config.session.secrets);
  const consumed = new Map<string, number>(); // state -> epoch s after which it may be forgotten; insertion order is expiry order
  const attrs = (maxAge: number) => ({ secure: config.secureCookies, sameSite: 'Lax' as const, maxAge });

  async function begin(res: ServerResponse, tx: LoginTransaction): Promise<void> {
    const sealed = await sealer.seal(tx, TRANSACTION_TTL_S);
    appendSetCookie(res, [serializeCookie(name, sealed, attrs(TRANSACTION_TTL_S))]);
  }

  /** Reads and consumes the transaction; always deletes the cookie. Undefined when missing, bad or replayed. */
  async function take(req: IncomingMessage, res: ServerResponse): Promise<LoginTransaction | undefined> {
    const raw = parseCookies(req.headers.cookie, (n) => n === name).get(name);
    appendSetCookie(res, [serializeCookie(name, '', attrs(0))]);
    if (!raw) return undefined;
    const tx = await sealer.unseal<LoginTransaction>(raw, TRANSACTION_TTL_S);
    if (!tx || typeof tx.state !== 'string') return undefined;
    const t = now();
    if (consumed.has(tx.state)) return undefined;
    for (const [state, until] of consumed) {
      if (until > t && consumed.size < maxConsumed) break;
      consumed.delete(state);
    }
    consumed.set(tx.state, t + TRANSACTION_TTL_S);
    // Several instances: used on another one? A store that cannot answer does not stop sign-in (the code is single-use at the provider).
    if (usedOnceEverywhere && !(await usedOnceEverywhere(`tx:${tx.state}`, TRANSACTION_TTL_S * 1000).catch(() => true))) return undefined;
    return tx;
  }

  return { begin, take, get consumedSize() { return consumed.size; } };
}

export type TransactionStore = ReturnType<typeof createTransactionStore>;
