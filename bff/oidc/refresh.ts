import * as oidc from 'openid-client';
import type { ProviderClient } from './discovery.ts';
import type { SessionData } from '../session/data.ts';
import { ProviderUnavailable, SessionExpired } from '../errors.ts';
import { providerErrorKind } from './provider-errors.ts';

/** Assumed access-token lifetime when the provider omits `expires_in` (RFC 6749 §5.1 makes it optional). */
const DEFAULT_EXPIRES_IN_S = 300;

/**
 * The session's token fields from a token-endpoint answer. No `rt` when the provider sent none:
 * at sign-in there is then no refresh token; on refresh the old one stays valid (RFC 6749 §6).
 */
export function tokenFields(tokens: oidc.TokenEndpointResponse, now: number): Pick<SessionData, 'at' | 'atExp' | 'rt'> {
  return {
    at: tokens.access_token,
    atExp: now + (tokens.expires_in ?? DEFAULT_EXPIRES_IN_S),
    ...(tokens.refresh_token ? { rt: tokens.refresh_token } : {}),
  };
}

/**
 * Redeems the session's refresh token for new tokens. A rejected grant means the session is over
 * (SessionExpired); an unreachable or failing provider means "try later" (ProviderUnavailable).
 * @see RFC 6749 §6, OIDC Core §12
 */
export async function refreshTokenGrant(provider: ProviderClient, session: SessionData, now: number): Promise<SessionData> {
  if (!session.rt) throw new SessionExpired();
  let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
  try {
    tokens = await oidc.refreshTokenGrant(await provider.configuration(), session.rt);
  } catch (err) {
    if (err instanceof ProviderUnavailable) throw err;
    const kind = providerErrorKind(err);
    if (kind === 'rejected') throw new SessionExpired();
    throw new ProviderUnavailable(err);
  }
  return { ...session, ...tokenFields(tokens, now), seenAt: now };
}
