import * as oidc from 'openid-client';
import type { ProviderClient } from './discovery.ts';
import type { SessionData } from '../session/data.ts';
import { ProviderUnavailable, SessionExpired } from '../errors.ts';
import { providerErrorKind } from './provider-errors.ts';

/** Assumed access-token lifetime when the provider omits `expires_in` (RFC 6749 §5.1 makes it optional). */
const DEFAULT_EXPIRES_IN_S = 300;

/** A token response the BFF cannot use: its access token is not a plain bearer token. */
export class UnsupportedTokenType extends Error {}

/**
 * The session's token fields from a token-endpoint answer. No `rt` when the provider sent none:
 * at sign-in there is then no refresh token; on refresh the old one stays valid (RFC 6749 §6).
 * Only `Bearer` (any case, RFC 6749 §5.1) is accepted: the relay sends `Authorization: Bearer`, and a
 * DPoP-bound token (RFC 9449) sent that way is either refused upstream or used without its binding.
 */
export function tokenFields(tokens: oidc.TokenEndpointResponse, now: number): Pick<SessionData, 'at' | 'atExp' | 'rt' | 'scope'> {
  if (!isBearer(tokens)) throw new UnsupportedTokenType('the token response is not of token_type Bearer');
  return {
    at: tokens.access_token,
    atExp: now + (tokens.expires_in ?? DEFAULT_EXPIRES_IN_S),
    ...(tokens.refresh_token ? { rt: tokens.refresh_token } : {}),
    // Omitted `scope` means "as requested" (RFC 6749 §5.1); on refresh the earlier grant's stays.
    ...(typeof tokens.scope === 'string' ? { scope: tokens.scope } : {}),
  };
}

function isBearer(tokens: oidc.TokenEndpointResponse): boolean {
  return String(tokens.token_type).toLowerCase() === 'bearer';
}

/**
 * openid-client itself refuses a token_type it does not know (`MAC`…) before we see the answer; such
 * an answer is as unusable as DPoP. Its body rides on the error's cause (oauth4webapi's shape).
 */
function unknownTokenTypeAnswer(err: unknown): Record<string, unknown> | undefined {
  const body = (err as { cause?: { cause?: { body?: unknown } } } | undefined)?.cause?.cause?.body;
  return body && typeof body === 'object' && 'token_type' in body ? (body as Record<string, unknown>) : undefined;
}

/** Revokes a refresh token we will never use again, where the provider can; failures change nothing. */
async function revokeQuietly(server: oidc.Configuration, token: string): Promise<void> {
  if (!server.serverMetadata().revocation_endpoint) return;
  await oidc.tokenRevocation(server, token, { token_type_hint: 'refresh_token' }).catch(() => undefined);
}

/**
 * Redeems the session's refresh token for new tokens. A rejected grant means the session is over
 * (SessionExpired); an unreachable or failing provider means "try later" (ProviderUnavailable).
 * An ID token in the answer (its signature checked by openid-client, as at sign-in) must name the
 * session's user and issuer (OIDC Core §12.2); otherwise, or when the answer is not a bearer token,
 * the session ends and the grant is revoked, so it relays nobody's tokens.
 * @see RFC 6749 §6, OIDC Core §12
 */
export async function refreshTokenGrant(provider: ProviderClient | undefined, session: SessionData, now: number): Promise<SessionData> {
  // No provider: the one that signed this session in is no longer configured; its tokens go nowhere else.
  if (!session.rt || provider === undefined) throw new SessionExpired();
  const server = await provider.configuration();
  let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
  try {
    tokens = await oidc.refreshTokenGrant(server, session.rt);
    await provider.verifyIdTokenSignature(server, tokens.id_token);
  } catch (err) {
    const refused = unknownTokenTypeAnswer(err);
    if (refused) {
      await revokeQuietly(server, typeof refused.refresh_token === 'string' ? refused.refresh_token : session.rt);
      throw new SessionExpired();
    }
    const kind = providerErrorKind(err);
    if (kind === 'rejected') throw new SessionExpired();
    throw new ProviderUnavailable(err);
  }
  const claims = tokens.claims();
  const sameUser = claims === undefined || (claims.sub === session.user.sub && claims.iss === session.iss);
  if (!sameUser || !isBearer(tokens)) {
    await revokeQuietly(server, tokens.refresh_token ?? session.rt);
    throw new SessionExpired();
  }
  return { ...session, ...tokenFields(tokens, now), seenAt: now };
}
