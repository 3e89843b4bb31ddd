import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { InvalidToken, ProviderUnavailable } from '../errors.ts';
import { singleFlight } from './single-flight.ts';

/** How long an introspection answer is trusted (RFC 7662 §4: a short cache trades revocation delay for load). */
export const INTROSPECTION_CACHE_S = 60;
const MAX_ENTRIES = 10_000;

export interface IntrospectionOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly now: () => number;
}

type Answer = { readonly active: false } | { readonly active: true; readonly claims: Record<string, unknown> };

/** The token's digest, so the cache never holds a usable token. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Opaque access tokens, by introspection at the provider with the BFF's client (RFC 7662). Answers
 * (inactive ones too) are cached by the token's digest for at most 60 s and never past the token's
 * `exp`; concurrent requests with one token share one call. A failed call is not cached.
 * @see RFC 7662 §2, §4
 */
export function createIntrospection(options: IntrospectionOptions) {
  const cache = new Map<string, { answer: Answer; until: number }>();
  const inFlight = new Map<string, Promise<Answer>>();
  const nowS = () => options.now() / 1000;

  function judge(body: oidc.IntrospectionResponse): Answer {
    if (body.active !== true) return { active: false };
    const tokenType = typeof body.token_type === 'string' ? body.token_type.toLowerCase() : 'bearer';
    const aud = body.aud === undefined ? undefined : Array.isArray(body.aud) ? body.aud : [body.aud];
    const fine =
      tokenType === 'bearer' &&
      body.cnf === undefined &&
      (body.iss === undefined || body.iss === options.issuer) &&
      (aud === undefined || aud.includes(options.audience)) &&
      (typeof body.exp !== 'number' || body.exp > nowS());
    return fine ? { active: true, claims: { ...body } } : { active: false };
  }

  async function ask(server: oidc.Configuration, token: string, key: string): Promise<Answer> {
    let answer: Answer;
    try {
      answer = judge(await oidc.tokenIntrospection(server, token, { token_type_hint: 'access_token' }));
    } catch (err) {
      throw new ProviderUnavailable(err);
    }
    const exp = answer.active && typeof answer.claims.exp === 'number' ? answer.claims.exp : Infinity;
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(key, { answer, until: Math.min(nowS() + INTROSPECTION_CACHE_S, exp) });
    return answer;
  }

  /** The token's introspection claims, or InvalidToken; ProviderUnavailable when the provider cannot answer. */
  return async function introspect(token: string, server: oidc.Configuration): Promise<Record<string, unknown>> {
    if (typeof server.serverMetadata().introspection_endpoint !== 'string') throw new InvalidToken();
    const key = tokenDigest(token);
    const hit = cache.get(key);
    let answer: Answer;
    if (hit !== undefined && nowS() < hit.until) answer = hit.answer;
    else {
      cache.delete(key);
      answer = await singleFlight(inFlight, key, () => ask(server, token, key));
    }
    if (!answer.active) throw new InvalidToken();
    return answer.claims;
  };
}
