import { http } from 'msw';
import type { HttpHandler } from 'msw';
import type { IdpContext } from './context.ts';
import { currentClaims } from './id-token.ts';
import { oauthError, oauthJson } from './responses.ts';
import { nowSeconds } from './store.ts';

/**
 * The claims for a live Bearer access token, or a 401 with the challenge RFC 6750 prescribes.
 * @see OpenID Connect Core 1.0 §5.3
 * @see RFC 6750 §3.1
 */
function userinfo(ctx: IdpContext, request: Request): Response {
  ctx.calls.userinfo += 1;
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  if (!match?.[1]) return oauthError('invalid_request', 'Bearer token required', 401, { 'WWW-Authenticate': 'Bearer realm="userinfo"' });
  const token = ctx.store.accessTokens.get(match[1]);
  const grant = ctx.store.grantOf(token);
  if (!token || !grant || !ctx.store.isAccessTokenActive(match[1]) || token.expiresAt <= nowSeconds()) {
    return oauthError('invalid_token', 'access token invalid, expired or revoked', 401, {
      'WWW-Authenticate': 'Bearer realm="userinfo", error="invalid_token"',
    });
  }
  if (ctx.faults.userinfo === 'server_error') return oauthError('server_error', 'injected fault', 500);
  return oauthJson({ ...currentClaims(ctx, grant), sub: ctx.faults.userinfo === 'wrong_sub' ? `${grant.sub}-someone-else` : grant.sub });
}

/** GET and POST userinfo_endpoint. */
export function userinfoHandlers(ctx: IdpContext): HttpHandler[] {
  return [
    http.get(ctx.endpoints.userinfo, ({ request }) => userinfo(ctx, request)),
    http.post(ctx.endpoints.userinfo, ({ request }) => userinfo(ctx, request)),
  ];
}
