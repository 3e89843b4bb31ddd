import type { IdpContext } from './context.ts';
import { issueAccessToken } from './access-token.ts';
import { mintIdToken } from './id-token.ts';
import { verifyS256 } from './pkce.ts';
import { randomToken } from './keys.ts';
import { oauthError, oauthJson } from './responses.ts';
import type { Grant } from './store.ts';
import { nowSeconds } from './store.ts';
import type { MockClient } from './types.ts';

const scopesOf = (scope: string) => scope.split(' ').filter(Boolean);

/**
 * The successful token response: a Bearer access token, an ID Token (per `faults.idToken`) and,
 * only with offline_access and when `withRefreshToken`, a refresh token.
 * @see RFC 6749 §5.1
 * @see OpenID Connect Core 1.0 §3.1.3.3
 */
export async function tokenResponse(ctx: IdpContext, grant: Grant, scope: string, nonce: string | undefined, withRefreshToken = true): Promise<Response> {
  const { store, settings } = ctx;
  const access_token = await issueAccessToken(ctx, grant, scope);
  const refresh_token = withRefreshToken && scopesOf(grant.scope).includes('offline_access') ? store.issueRefreshToken(grant) : undefined;
  const id_token = await mintIdToken(ctx, { grant, accessToken: access_token, nonce });
  return oauthJson({
    access_token,
    token_type: 'Bearer',
    expires_in: settings.accessTokenTtl,
    scope,
    ...(id_token !== undefined && { id_token }),
    ...(refresh_token !== undefined && { refresh_token }),
  });
}

/**
 * grant_type=authorization_code. A code is one-time: a replay is refused and, as RFC 6749 §4.1.2
 * recommends, everything issued from its first redemption is revoked.
 * @see RFC 6749 §4.1.3
 * @see RFC 7636 §4.6
 */
export async function authorizationCodeGrant(ctx: IdpContext, client: MockClient, form: URLSearchParams): Promise<Response> {
  const value = form.get('code');
  const code = value === null ? undefined : ctx.store.codes.get(value);
  if (!code) return oauthError('invalid_grant', 'unknown authorization code');
  if (code.client_id !== client.client_id) return oauthError('invalid_grant', 'code was issued to another client');
  if (code.used) {
    ctx.store.revokeGrant(code.grantId);
    return oauthError('invalid_grant', 'code already used; tokens issued from it are revoked');
  }
  // Burned on the first attempt even if it fails below: a failed PKCE check may be an attacker's.
  code.used = true;
  if (code.expiresAt < nowSeconds()) return oauthError('invalid_grant', 'code expired');
  if (form.get('redirect_uri') !== code.redirect_uri) return oauthError('invalid_grant', 'redirect_uri does not match the authorization request');
  if (!verifyS256(form.get('code_verifier'), code.code_challenge)) return oauthError('invalid_grant', 'PKCE verification failed');
  const grant = ctx.store.openGrant(code);
  return tokenResponse(ctx, grant, code.scope, code.nonce);
}

/**
 * grant_type=refresh_token with rotation: every use retires the presented token. Presenting a
 * retired one means two parties hold it, so the whole grant family is revoked. With
 * `settings.rotateRefreshTokens` false the token stays valid and the answer carries none.
 * @see RFC 6749 §6
 * @see RFC 9700 §4.14.2 (refresh token rotation and reuse detection)
 */
export async function refreshTokenGrant(ctx: IdpContext, client: MockClient, form: URLSearchParams): Promise<Response> {
  const value = form.get('refresh_token');
  const token = value === null ? undefined : ctx.store.refreshTokens.get(value);
  const grant = ctx.store.grantOf(token);
  if (!token || !grant) return oauthError('invalid_grant', 'unknown refresh token');
  if (grant.client_id !== client.client_id) return oauthError('invalid_grant', 'refresh token was issued to another client');
  if (token.rotated) {
    ctx.store.revokeGrant(grant.id);
    return oauthError('invalid_grant', 'refresh token reuse detected; the grant is revoked');
  }
  if (token.revoked || grant.revoked) return oauthError('invalid_grant', 'refresh token revoked');

  const requested = form.get('scope');
  const scope = requested === null ? grant.scope : scopesOf(requested).join(' ');
  // A refresh may narrow the scope but never widen it (RFC 6749 §6).
  if (!scopesOf(scope).every((s) => scopesOf(grant.scope).includes(s))) return oauthError('invalid_scope', 'scope exceeds the original grant');
  const rotate = ctx.settings.rotateRefreshTokens;
  if (rotate) token.rotated = true;
  return tokenResponse(ctx, grant, scope, undefined, rotate);
}

/**
 * grant_type=client_credentials: the client's own access token (opaque), with the requested
 * `scope` echoed and the RFC 8707 `resource` recorded in `calls.tokenClientCredentials`.
 * @see RFC 6749 §4.4
 * @see RFC 8707 §2.2
 */
export function clientCredentialsGrant(ctx: IdpContext, client: MockClient, form: URLSearchParams): Response {
  const scope = form.get('scope');
  ctx.calls.tokenClientCredentials.push({ client_id: client.client_id, scope, resource: form.get('resource') });
  return oauthJson({
    access_token: randomToken('cc'),
    token_type: 'Bearer',
    expires_in: ctx.settings.accessTokenTtl,
    ...(scope !== null && { scope }),
  });
}
