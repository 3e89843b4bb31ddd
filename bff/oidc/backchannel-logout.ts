import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { createRemoteJWKSet, customFetch, decodeJwt, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Logger } from '../log.ts';
import type { EndedSessions } from '../state/ended.ts';
import type { StateStore } from '../state/store.ts';
import { ProviderUnavailable } from '../errors.ts';
import type { ProviderClient } from './discovery.ts';
import { sendJson } from '../http/json.ts';

export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token older than this (by `iat`) is refused; its `jti` is remembered as long. */
export const MAX_TOKEN_AGE_S = 120;
/** Clock difference tolerated between us and the provider. */
export const CLOCK_TOLERANCE_S = 30;
/** Signatures only with the provider's public keys: never `none`, never a MAC with a shared secret. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** What the handler needs of a configured provider. */
export interface LogoutIssuer {
  readonly issuer: string;
  readonly clientId: string;
  /** The provider's `jwks_uri` (from discovery). */
  readonly jwksUri: string;
}

/**
 * The configured provider a logout token's `iss` names, as a logout-token issuer (undefined when
 * none has it). A provider whose discovery fails is skipped: its tokens cannot be checked.
 */
export function logoutIssuerAmong(providers: readonly ProviderClient[]): (iss: string) => Promise<LogoutIssuer | undefined> {
  return async (iss) => {
    for (const provider of providers) {
      const meta = await provider.configuration().then((c) => c.serverMetadata(), () => undefined);
      if (meta?.issuer === iss && meta.jwks_uri) return { issuer: meta.issuer, clientId: provider.provider.clientId, jwksUri: meta.jwks_uri };
    }
    return undefined;
  };
}

export interface BackchannelDeps {
  /** The configured provider with this `iss`, if any. */
  issuerOf(iss: string): Promise<LogoutIssuer | undefined>;
  ended: EndedSessions;
  store: StateStore;
  /** Epoch seconds. */
  now: () => number;
  absoluteTimeoutS: number;
  /** The network to fetch the provider's keys through (openid-client's CustomFetch shape; tests inject msw). */
  fetch?: ((url: string, init: never) => Promise<globalThis.Response>) | undefined;
  log: Logger;
}

class InvalidLogoutToken extends Error {}

function refuse(reason: string): never {
  throw new InvalidLogoutToken(reason);
}

/** The claims rules of OIDC Back-Channel Logout 1.0 §2.4 and §2.6 that jose's jwtVerify does not check. */
function checkLogoutClaims(payload: JWTPayload, typ: string | undefined, now: number): void {
  if (typ !== undefined && !['logout+jwt', 'application/logout+jwt'].includes(typ.toLowerCase())) refuse('typ is not logout+jwt');
  if (typeof payload.iat !== 'number') refuse('no iat');
  if (payload.iat > now + CLOCK_TOLERANCE_S) refuse('iat in the future');
  const events = payload.events;
  if (events === null || typeof events !== 'object' || Array.isArray(events)) refuse('no events member');
  const event = (events as Record<string, unknown>)[BACKCHANNEL_EVENT];
  if (event === null || typeof event !== 'object' || Array.isArray(event)) refuse('events does not hold the back-channel logout event');
  if ('nonce' in payload) refuse('a logout token must not carry a nonce');
  const sid = payload.sid;
  const sub = payload.sub;
  if (sid !== undefined && (typeof sid !== 'string' || sid === '')) refuse('sid is not a string');
  if (sub !== undefined && (typeof sub !== 'string' || sub === '')) refuse('sub is not a string');
  if (sid === undefined && sub === undefined) refuse('neither sid nor sub');
  if (typeof payload.jti !== 'string' || payload.jti === '') refuse('no jti');
}

/**
 * `POST /auth/backchannel-logout` (OpenID Connect Back-Channel Logout 1.0): the provider says a
 * session of its own is over. The logout token is verified by every rule of §2.6, its `jti` used
 * once (shared by every instance), then the sessions it names end on every instance: with `sid`,
 * only that provider session; with `sub` alone, every session of that user signed in before `iat`.
 * Answers 200 with no body, or 400 `{"error":"invalid_request"}` (§2.8), never saying why.
 */
export function createBackchannelLogoutHandler(deps: BackchannelDeps) {
  const keySets = new Map<string, { uri: string; keys: JWTVerifyGetKey }>();

  async function keysOf(provider: LogoutIssuer): Promise<JWTVerifyGetKey> {
    const uri = provider.jwksUri;
    let known = keySets.get(provider.issuer);
    if (known?.uri !== uri) {
      const viaFetch = deps.fetch;
      const keys = createRemoteJWKSet(new URL(uri), viaFetch ? { [customFetch]: (url, init) => viaFetch(url, init as never) } : {});
      keySets.set(provider.issuer, (known = { uri, keys }));
    }
    return known.keys;
  }

  async function verify(token: string): Promise<{ payload: JWTPayload; provider: LogoutIssuer }> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      refuse('not a JWT');
    }
    const provider = typeof iss === 'string' ? await deps.issuerOf(iss) : undefined;
    if (!provider) refuse('iss is not a configured provider');
    const keys = await keysOf(provider);
    let verified: Awaited<ReturnType<typeof jwtVerify>>;
    try {
      verified = await jwtVerify(token, keys, {
        issuer: provider.issuer,
        audience: provider.clientId,
        algorithms: ALGORITHMS,
        maxTokenAge: MAX_TOKEN_AGE_S,
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(deps.now() * 1000),
      });
    } catch (err) {
      // The key set could not be fetched: the provider's outage, not a bad token.
      const code = (err as { code?: unknown } | undefined)?.code;
      if (typeof code !== 'string' || code === 'ERR_JWKS_TIMEOUT') throw new ProviderUnavailable(err);
      refuse(err instanceof Error ? err.message : 'signature or claims');
    }
    checkLogoutClaims(verified.payload, verified.protectedHeader.typ, deps.now());
    return { payload: verified.payload, provider };
  }

  /** Once only, on every instance: a replayed token (same issuer, same `jti`) is refused. */
  async function useOnce(iss: string, jti: string): Promise<void> {
    const key = `bcl-jti:${createHash('sha256').update(`${iss}\n${jti}`).digest('base64url')}`;
    const ttlMs = (MAX_TOKEN_AGE_S + 2 * CLOCK_TOLERANCE_S) * 1000;
    if (!(await deps.store.setIfAbsent(key, '1', ttlMs))) refuse('jti already used');
  }

  return async function backchannelLogout(req: Request, res: Response): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    const body: unknown = req.body;
    const token = body && typeof body === 'object' ? (body as Record<string, unknown>).logout_token : undefined;
    try {
      if (typeof token !== 'string' || token === '') refuse('no logout_token');
      const { payload, provider } = await verify(token);
      await useOnce(provider.issuer, payload.jti!);
      const now = deps.now();
      const until = now + deps.absoluteTimeoutS;
      if (typeof payload.sid === 'string') await deps.ended.end({ kind: 'psid', iss: provider.issuer, id: payload.sid, until });
      else {
        // Sessions signed in up to the token's issue (never a future one: iat may run a little ahead).
        const at = Math.min(payload.iat!, now);
        await deps.ended.end({ kind: 'sub', iss: provider.issuer, id: payload.sub!, at, until: at + deps.absoluteTimeoutS });
      }
      deps.log.info({ event: 'backchannel_logout', outcome: 'success', by: typeof payload.sid === 'string' ? 'sid' : 'sub' });
      res.status(200).end();
    } catch (err) {
      if (!(err instanceof InvalidLogoutToken)) {
        // Store or provider unreachable: a 503 problem, so the provider may deliver it again.
        deps.log.warn({ event: 'backchannel_logout', outcome: 'error', reason: err instanceof Error ? err.message : String(err) });
        throw err;
      }
      deps.log.info({ event: 'backchannel_logout', outcome: 'invalid', reason: err.message });
      sendJson(res, 400, { error: 'invalid_request' });
    }
  };
}
