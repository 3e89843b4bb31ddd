import type { StepUpAsk } from './login-params.ts';

/** Clock difference tolerated between us and the provider when judging `auth_time`. */
const SKEW_S = 30;

/**
 * Whether the ID token of a sign-in meets what its login asked for: an `acr` among `acr_values`,
 * an `auth_time` no older than `max_age`. The provider may ignore both (they are voluntary claims
 * in OIDC Core §3.1.2.1), and a user can edit the authorization URL, so this is checked here,
 * before the session is upgraded.
 * @see RFC 9470 §4, OIDC Core §3.1.2.1
 */
export function meetsAsk(ask: StepUpAsk | undefined, claims: { acr?: unknown; auth_time?: unknown }, nowS: number): boolean {
  if (ask === undefined) return true;
  if (ask.acr_values !== undefined && (typeof claims.acr !== 'string' || !ask.acr_values.split(' ').includes(claims.acr))) return false;
  if (ask.max_age !== undefined && (typeof claims.auth_time !== 'number' || nowS - claims.auth_time > ask.max_age + SKEW_S)) return false;
  return true;
}

/** `returnTo` (a safe same-origin path) with `error=<code>` added: how silent and step-up sign-ins report back to the SPA. */
export function withError(returnTo: string, error: string): string {
  const url = new URL(returnTo, 'http://x');
  url.searchParams.set('error', error);
  return url.pathname + url.search + url.hash;
}
