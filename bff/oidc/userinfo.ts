import * as oidc from 'openid-client';
import type { ProviderConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { PROTOCOL_CLAIMS, type SessionData } from '../session/data.ts';

type User = SessionData['user'];

/** Claims that show the `profile` / `email` scopes were answered in the ID token (OIDC Core §5.4). */
const PROFILE_CLAIMS = ['name', 'preferred_username', 'given_name', 'family_name', 'nickname'];

/** The user's claims from a validated ID token: protocol claims (iss, aud, acr, sid…) dropped. */
export function userClaims(claims: Readonly<Record<string, unknown>>): User {
  return Object.fromEntries(Object.entries(claims).filter(([k]) => !PROTOCOL_CLAIMS.has(k))) as User;
}

function needsUserinfo(provider: ProviderConfig, scope: string, user: User): boolean {
  if (provider.userinfo === 'never') return false;
  if (provider.userinfo === 'always') return true;
  const scopes = new Set(scope.split(' '));
  if (scopes.has('profile') && !PROFILE_CLAIMS.some((c) => c in user)) return true;
  return scopes.has('email') && !('email' in user);
}

/**
 * The session's user: the ID token's claims, completed from UserInfo when the provider's
 * `userinfo` option says so (`auto`: the ID token lacks the claims of a requested `profile` /
 * `email` scope, as many providers deliver them only there). UserInfo must name the same `sub`
 * (OIDC Core §5.3.2, openid-client checks it); the ID token's own claims win a conflict (they are
 * signed). A failing UserInfo call never fails the sign-in: the user just has fewer claims.
 * @see OIDC Core §5.3, §5.4
 */
export async function signedInUser(server: oidc.Configuration, provider: ProviderConfig, accessToken: string, grantedScope: string | undefined, user: User, log: Logger): Promise<User> {
  if (!server.serverMetadata().userinfo_endpoint || !needsUserinfo(provider, grantedScope ?? provider.scopes, user)) return user;
  try {
    const info = await oidc.fetchUserInfo(server, accessToken, user.sub);
    return { ...userClaims(info), ...user };
  } catch (err) {
    log.warn({ event: 'userinfo_failed', provider: provider.name, reason: err instanceof Error ? err.message : String(err) });
    return user;
  }
}
