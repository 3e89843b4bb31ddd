import { randomBytes } from 'node:crypto';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { WRONG_ISSUER } from './context.ts';
import type { IdpContext } from './context.ts';
import { SIGNING_ALG } from './keys.ts';
import type { Grant } from './store.ts';
import { nowSeconds } from './store.ts';
import type { AccessTokenFault } from './types.ts';

/** What a minted JWT access token says, beyond its defaults. */
export interface AccessTokenInput {
  /** The user (`sub`); absent for a client's own token. */
  sub?: string;
  client_id: string;
  scope: string;
  /** Default: `settings.accessTokenAudience`, else the client id. */
  aud?: string | string[];
  /** Extra claims (roles, acr…), merged last. */
  claims?: Record<string, unknown>;
  fault?: AccessTokenFault;
}

/**
 * A JWT access token (RFC 9068: `typ: at+jwt`, `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`,
 * `jti`, `scope`), or one of the faulty ones a resource server must refuse.
 * @see RFC 9068 §2
 */
export async function mintAccessToken(ctx: IdpContext, input: AccessTokenInput): Promise<string> {
  const { fault } = input;
  const iat = fault === 'expired' ? nowSeconds() - 3600 - ctx.settings.accessTokenTtl : nowSeconds();
  const payload: JWTPayload = {
    iss: fault === 'wrong_iss' ? WRONG_ISSUER : ctx.issuer,
    ...(input.sub !== undefined && { sub: input.sub }),
    aud: fault === 'wrong_aud' ? 'someone-else' : (input.aud ?? ctx.settings.accessTokenAudience ?? input.client_id),
    client_id: input.client_id,
    iat,
    exp: iat + ctx.settings.accessTokenTtl,
    jti: randomBytes(12).toString('base64url'),
    scope: input.scope,
    ...input.claims,
  };
  if (fault === 'alg_none') return new UnsecuredJWT(payload).encode();
  const typ = fault === 'wrong_typ' ? 'JWT' : 'at+jwt';
  if (fault === 'unknown_kid') {
    const stranger = await generateKeyPair(SIGNING_ALG);
    return new SignJWT(payload).setProtectedHeader({ alg: SIGNING_ALG, kid: 'unknown-kid', typ }).sign(stranger.privateKey);
  }
  const key = fault === 'bad_signature' ? await ctx.keys.rogueKey() : ctx.keys.privateKey;
  return new SignJWT(payload).setProtectedHeader({ alg: SIGNING_ALG, kid: ctx.keys.kid, typ }).sign(key);
}

/** The access token a token response carries: a JWT when `settings.accessTokenFormat` is `jwt`, else opaque; both introspectable. */
export async function issueAccessToken(ctx: IdpContext, grant: Grant, scope: string): Promise<string> {
  const ttl = ctx.settings.accessTokenTtl;
  if (ctx.settings.accessTokenFormat !== 'jwt') return ctx.store.issueAccessToken(grant, scope, ttl);
  const token = await mintAccessToken(ctx, { sub: grant.sub, client_id: grant.client_id, scope });
  ctx.store.accessTokens.set(token, { grantId: grant.id, scope, expiresAt: nowSeconds() + ttl, revoked: false });
  return token;
}
