import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';

// Access-token validation as a real resource server does it: keys from the issuer's published
// jwks_uri (found through discovery), signature + iss + aud + exp checked, `none` never accepted.

export interface Caller {
  sub: string;
  /** Who the API saw, as its answers say it: the user's name, or "the app" for the BFF's own token. */
  name: string;
  roles: string[];
  scope: string;
  claims: JWTPayload;
}

/** The token is not acceptable: answer 401 invalid_token. */
export class InvalidTokenError extends Error {}

/** The issuer or its JWKS could not be reached: answer 503, the token may well be fine. */
export class UpstreamUnavailableError extends Error {}

// Asymmetric algorithms oidc-provider can sign with; HS* and `none` are refused by omission.
const ALGORITHMS = ['RS256', 'PS256', 'ES256'];
const HTTP_TIMEOUT_MS = 5_000;

async function discoverJwks(issuer: string): Promise<JWTVerifyGetKey> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`discovery answered ${res.status}`);
  const meta = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
  // RFC 8414 §3.3: the document must be about the issuer we were configured with.
  if (meta.issuer !== issuer) throw new Error('discovery issuer mismatch');
  if (typeof meta.jwks_uri !== 'string') throw new Error('discovery has no jwks_uri');
  return createRemoteJWKSet(new URL(meta.jwks_uri), { timeoutDuration: HTTP_TIMEOUT_MS });
}

function describe(err: errors.JOSEError): string {
  if (err instanceof errors.JWTExpired) return 'the access token expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `the access token "${err.claim}" claim is not acceptable`;
  if (err instanceof errors.JOSEAlgNotAllowed) return 'the access token signing algorithm is not accepted';
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) {
    return 'the access token signature cannot be verified';
  }
  return 'the access token is malformed';
}

/** What the answers call a client-credentials caller. */
export const APP_CALLER = 'the app';
/** The demo provider's mark on client-credentials tokens (see demo/provider/config.ts). */
const CLIENT_CREDENTIALS_GTY = 'client-credentials';

/** RFC 9068 §2.2: a token with no user has the client as `sub`; the provider's `gty` says it was meant so. */
function isAppToken(payload: JWTPayload): boolean {
  return payload.gty === CLIENT_CREDENTIALS_GTY && typeof payload.client_id === 'string' && payload.sub === payload.client_id;
}

function toStringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function createTokenVerifier(opts: { issuer: string; audience: string }): (token: string) => Promise<Caller> {
  let jwks: Promise<JWTVerifyGetKey> | undefined;
  // Discovery is lazy (the API may start before the provider) and retried after a failure.
  const getJwks = (): Promise<JWTVerifyGetKey> =>
    (jwks ??= discoverJwks(opts.issuer).catch((err: unknown) => {
      jwks = undefined;
      throw err;
    }));

  return async function verify(token: string): Promise<Caller> {
    let keys: JWTVerifyGetKey;
    try {
      keys = await getJwks();
    } catch (err) {
      throw new UpstreamUnavailableError('issuer discovery failed', { cause: err });
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: ALGORITHMS,
        typ: 'at+jwt', // RFC 9068: keeps ID tokens and other JWTs from passing as access tokens
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 5,
      });
      return {
        sub: String(payload.sub),
        name: isAppToken(payload) ? APP_CALLER : String(payload.sub),
        roles: toStringArray(payload.roles),
        scope: typeof payload.scope === 'string' ? payload.scope : '',
        claims: payload,
      };
    } catch (err) {
      if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) {
        throw new UpstreamUnavailableError('JWKS unavailable', { cause: err });
      }
      throw new InvalidTokenError(describe(err));
    }
  };
}
