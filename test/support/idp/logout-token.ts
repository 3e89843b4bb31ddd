import { SignJWT, UnsecuredJWT } from 'jose';
import type { JWTPayload } from 'jose';
import type { IdpContext } from './context.ts';
import { randomToken, SIGNING_ALG } from './keys.ts';
import { nowSeconds } from './store.ts';

export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** What to put in a logout token; each field can break one rule of the spec for attack tests. */
export interface LogoutTokenOptions {
  /** The provider session to end (see `idp.issuedSids()`). */
  sid?: string;
  /** The user to end (every session signed in before `iat` when there is no `sid`). */
  sub?: string;
  /** Claims set over the defaults; `undefined` removes one (e.g. `{ jti: undefined }`). */
  claims?: Record<string, unknown>;
  /** `typ` header; default `logout+jwt`, `null` leaves it out. */
  typ?: string | null;
  /** `rogue`: same kid, another key; `none`: an unsecured JWT (`alg: none`). */
  signing?: 'valid' | 'rogue' | 'none';
}

/**
 * A logout token as this provider would POST it to an RP's back-channel logout URI.
 * @see OpenID Connect Back-Channel Logout 1.0 §2.4
 */
export async function signLogoutToken(ctx: IdpContext, options: LogoutTokenOptions = {}): Promise<string> {
  const claims: Record<string, unknown> = {
    iss: ctx.issuer,
    aud: ctx.clients[0]?.client_id,
    iat: nowSeconds(),
    exp: nowSeconds() + 120,
    jti: randomToken('jti'),
    events: { [BACKCHANNEL_EVENT]: {} },
    ...(options.sid !== undefined ? { sid: options.sid } : {}),
    ...(options.sub !== undefined ? { sub: options.sub } : {}),
    ...options.claims,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  const payload = claims as JWTPayload;
  if (options.signing === 'none') return new UnsecuredJWT(payload).encode();
  const typ = options.typ === undefined ? 'logout+jwt' : options.typ;
  const key = options.signing === 'rogue' ? await ctx.keys.rogueKey() : ctx.keys.privateKey;
  return new SignJWT(payload).setProtectedHeader({ alg: SIGNING_ALG, kid: ctx.keys.kid, ...(typ === null ? {} : { typ }) }).sign(key);
}
