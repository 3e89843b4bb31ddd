import { createHash } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { JWTPayload } from 'jose';
import { findClient, WRONG_ISSUER } from './context.ts';
import type { IdpContext } from './context.ts';
import { randomToken, SIGNING_ALG } from './keys.ts';
import type { Grant } from './store.ts';
import { nowSeconds } from './store.ts';

/** What the token endpoint knows when it mints an ID Token. */
export interface IdTokenInput {
  grant: Grant;
  accessToken: string;
  /** Only the authorization_code grant carries one; a refreshed ID Token omits it (OIDC Core §12.2). */
  nonce: string | undefined;
}

/**
 * Left half of the SHA-256 of the access token, so an RP may bind the two.
 * @see OpenID Connect Core 1.0 §3.1.3.6
 */
function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/** The claims of the signed-in user as they are now: a same-sub profile edit in `settings.user` shows up. */
export function currentClaims(ctx: IdpContext, grant: Grant): Record<string, unknown> {
  return ctx.settings.user.sub === grant.sub ? ctx.settings.user : grant.claims;
}

function idTokenClaims(ctx: IdpContext, { grant, accessToken, nonce }: IdTokenInput): JWTPayload {
  const fault = ctx.faults.idToken;
  const now = nowSeconds();
  // Far enough in the past to beat any RP's clock tolerance.
  const iat = fault === 'expired' ? now - 3600 - ctx.settings.idTokenTtl : now;
  const other = ctx.faults.idTokenUser;
  // `minimal`: a provider that gives profile and email claims only from UserInfo.
  const userClaims = ctx.idTokenClaims === 'minimal' ? {} : (other ?? currentClaims(ctx, grant));
  const claims: JWTPayload = {
    ...userClaims,
    iss: fault === 'wrong_iss' ? WRONG_ISSUER : ctx.issuer,
    sub: other?.sub ?? grant.sub,
    aud: fault === 'wrong_aud' ? 'someone-else' : grant.client_id,
    iat,
    exp: iat + ctx.settings.idTokenTtl,
    auth_time: grant.auth_time,
    sid: grant.sid,
    ...(grant.acr !== undefined ? { acr: grant.acr } : {}),
    at_hash: atHash(accessToken),
  };
  if (fault === 'wrong_nonce') claims.nonce = randomToken('nonce');
  else if (nonce !== undefined) claims.nonce = nonce;
  else delete claims.nonce; // a user claim must not smuggle one in
  return claims;
}

/**
 * Mints the ID Token for a token response, honouring `faults.idToken`; undefined means "leave it out".
 * @see OpenID Connect Core 1.0 §2
 * @see RFC 7515 (JWS), RFC 7519 §6 (unsecured JWT, for the alg_none fault)
 */
export async function mintIdToken(ctx: IdpContext, input: IdTokenInput): Promise<string | undefined> {
  const fault = ctx.faults.idToken;
  if (fault === 'missing') return undefined;
  const claims = idTokenClaims(ctx, input);
  if (fault === 'alg_none') return new UnsecuredJWT(claims).encode();
  if (ctx.idTokenAlg !== SIGNING_ALG) {
    // OIDC Core §10.1: the UTF-8 octets of the client secret are the HMAC key.
    const secret = findClient(ctx, input.grant.client_id)?.client_secret ?? '';
    const key = new TextEncoder().encode(fault === 'bad_signature' ? `${secret}-forged` : secret);
    return new SignJWT(claims).setProtectedHeader({ alg: ctx.idTokenAlg, typ: 'JWT' }).sign(key);
  }
  const key = fault === 'bad_signature' ? await ctx.keys.rogueKey() : ctx.keys.privateKey;
  return new SignJWT(claims).setProtectedHeader({ alg: SIGNING_ALG, kid: ctx.keys.kid, typ: 'JWT' }).sign(key);
}
