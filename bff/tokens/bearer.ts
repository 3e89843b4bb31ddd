import type * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import { InvalidToken } from '../errors.ts';
import { createJwtVerifier } from './bearer-jwt.ts';
import { createIntrospection, tokenDigest } from './introspection.ts';

/** RFC 6750 §2.1: `Bearer` + one b64token. Anything else in the header is not a bearer credential. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
/** A JWS in compact form: three base64url parts (RFC 7515 §7.1). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Longer than any real access token; refused before any crypto or call. */
const MAX_TOKEN_LENGTH = 16_384;

export interface VerifiedBearer {
  readonly token: string;
  /** The JWT's claims, or the introspection answer's members. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** The scopes granted to the token, space-separated (`scope`, or an `scp` array). */
  readonly scope: string;
  /** A digest of the token: a key for per-token bounds that holds no usable token. */
  readonly id: string;
}

export interface BearerDeps {
  /** The provider's metadata (discovery, cached). */
  configuration(): Promise<oidc.Configuration>;
  fetch?: oidc.CustomFetch;
  /** Epoch milliseconds. */
  clock?: () => number;
  /** See JwtVerifierOptions.jwksCooldownMs. */
  jwksCooldownMs?: number;
}

/** Whether the request carries an `Authorization: Bearer` credential at all (well-formed or not). */
export function hasBearer(authorization: string | undefined): boolean {
  return authorization !== undefined && /^bearer(\s|$)/i.test(authorization);
}

function scopeOf(claims: Readonly<Record<string, unknown>>): string {
  if (typeof claims.scope === 'string') return claims.scope;
  if (Array.isArray(claims.scp)) return claims.scp.filter((s) => typeof s === 'string').join(' ');
  return '';
}

/**
 * Verifies the access token of a non-browser client against the `default` provider: a JWT access
 * token (RFC 9068) by signature and claims, anything else by introspection (RFC 7662). Independent
 * of the relay, so `requireUser({ bearer: true })` uses the same judgement.
 * Throws InvalidToken (401, `WWW-Authenticate: Bearer error="invalid_token"`), or
 * ProviderUnavailable when the provider cannot be asked.
 * @see RFC 6750, RFC 9068, RFC 7662
 */
export function createBearerVerifier(config: Config, deps: BearerDeps) {
  const now = deps.clock ?? Date.now;
  const { bearerAudience } = config.oidc;
  const verifyJwt = createJwtVerifier({
    audience: bearerAudience,
    timeoutMs: config.providerTimeoutMs,
    now,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.jwksCooldownMs !== undefined ? { jwksCooldownMs: deps.jwksCooldownMs } : {}),
  });
  let introspect: ReturnType<typeof createIntrospection> | undefined;

  async function verify(authorization: string | undefined): Promise<VerifiedBearer> {
    const token = BEARER.exec(authorization ?? '')?.[1];
    if (token === undefined || token.length > MAX_TOKEN_LENGTH) throw new InvalidToken();
    const server = await deps.configuration();
    const metadata = server.serverMetadata();
    let claims: Record<string, unknown>;
    if (COMPACT_JWS.test(token)) {
      claims = await verifyJwt(token, metadata);
    } else {
      introspect ??= createIntrospection({ issuer: metadata.issuer, audience: bearerAudience, now });
      claims = await introspect(token, server);
    }
    return { token, claims, scope: scopeOf(claims), id: tokenDigest(token) };
  }

  return { verify };
}

export type BearerVerifier = ReturnType<typeof createBearerVerifier>;
