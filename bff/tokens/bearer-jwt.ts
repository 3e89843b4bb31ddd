import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from 'jose';
import type * as oidc from 'openid-client';
import { InvalidToken, ProviderUnavailable } from '../errors.ts';

/** Algorithms whose keys a JWKS can publish: a symmetric `HS*` key would be the client secret, which the BFF itself holds. */
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^ES256K$|^EdDSA$|^Ed25519$|^Ed448$/;

/**
 * The algorithms a JWT access token may be signed with. RFC 8414 defines no metadata for access
 * tokens, and `token_endpoint_auth_signing_alg_values_supported` is about client assertions, not
 * tokens the provider signs. The provider signs access tokens with the keys (and in practice the
 * algorithms) it signs ID tokens with, so `id_token_signing_alg_values_supported` is the list,
 * minus `none` and symmetric algorithms; RS256 when it is absent (OIDC Discovery §3 makes RS256 mandatory).
 */
export function accessTokenAlgorithms(metadata: Pick<oidc.ServerMetadata, 'id_token_signing_alg_values_supported'>): string[] {
  const listed = Array.isArray(metadata.id_token_signing_alg_values_supported) ? metadata.id_token_signing_alg_values_supported : ['RS256'];
  return listed.filter((alg): alg is string => typeof alg === 'string' && ASYMMETRIC.test(alg));
}

export interface JwtVerifierOptions {
  readonly audience: string;
  readonly timeoutMs: number;
  /** After a JWKS fetch, an unknown `kid` refetches only once this long has passed (jose's cooldown; default 30 s). */
  readonly jwksCooldownMs?: number;
  readonly fetch?: oidc.CustomFetch;
  readonly now: () => number;
}

/**
 * RFC 9068 JWT access tokens: signature by the provider's JWKS (fetched through the BFF's fetch,
 * cached, and refetched once when a token names an unknown `kid`, at most once per cooldown),
 * `typ` `at+jwt`, `iss`, `exp`, `aud`. An ID token (`typ` `JWT`, audience the client id) is
 * therefore never taken for an access token. jose refuses `alg: none` whatever the list says.
 * @see RFC 9068 §4, RFC 7517
 */
export function createJwtVerifier(options: JwtVerifierOptions) {
  let jwks: { uri: string; get: ReturnType<typeof createRemoteJWKSet> } | undefined;

  function keysAt(uri: string) {
    if (jwks?.uri !== uri) {
      const get = createRemoteJWKSet(new URL(uri), {
        timeoutDuration: options.timeoutMs,
        cooldownDuration: options.jwksCooldownMs ?? 30_000,
        ...(options.fetch ? { [customFetch]: options.fetch as never } : {}),
      });
      jwks = { uri, get };
    }
    return jwks.get;
  }

  /** `metadata` is the discovered one: its `issuer` is the provider's exact spelling (discovery checked it). */
  return async function verifyJwt(token: string, metadata: Pick<oidc.ServerMetadata, 'issuer' | 'jwks_uri' | 'id_token_signing_alg_values_supported'>): Promise<JWTPayload> {
    if (typeof metadata.jwks_uri !== 'string') throw new InvalidToken();
    try {
      const { payload } = await jwtVerify(token, keysAt(metadata.jwks_uri), {
        issuer: metadata.issuer,
        audience: options.audience,
        algorithms: accessTokenAlgorithms(metadata),
        typ: 'at+jwt',
        requiredClaims: ['exp'],
        currentDate: new Date(options.now()),
      });
      // A sender-constrained token (RFC 9449 DPoP, RFC 8705 mTLS) must not be accepted as a plain bearer.
      if (payload.cnf !== undefined) throw new InvalidToken();
      return payload;
    } catch (err) {
      if (err instanceof errors.JWKSTimeout || err instanceof TypeError || (err instanceof errors.JOSEError && err.code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test(err.message))) {
        throw new ProviderUnavailable(err);
      }
      throw new InvalidToken();
    }
  };
}
