import { http } from 'msw';
import type { HttpHandler } from 'msw';
import { authenticateClient } from './client-auth.ts';
import type { IdpContext } from './context.ts';
import { oauthError, oauthJson, readForm } from './responses.ts';
import { nowSeconds } from './store.ts';

/**
 * POST introspection_endpoint: `{ active: false }` for anything unknown, expired or revoked, else the
 * token's `scope`, `client_id`, `sub`, `exp`, `iat`, `iss`, `token_type` (and `aud` when
 * `settings.accessTokenAudience` is set). Only access tokens are described.
 * @see RFC 7662 §2
 */
export function introspectionHandler(ctx: IdpContext): HttpHandler {
  return http.post(ctx.endpoints.introspection, async ({ request }) => {
    ctx.calls.introspection += 1;
    const form = await readForm(request);
    if (!form) return oauthError('invalid_request', 'body must be application/x-www-form-urlencoded');
    const client = authenticateClient(ctx, request, form);
    if (client instanceof Response) return client;
    const value = form.get('token') ?? '';
    const token = ctx.store.accessTokens.get(value);
    const grant = ctx.store.grantOf(token);
    if (!token || !grant || !ctx.store.isAccessTokenActive(value) || token.expiresAt <= nowSeconds()) return oauthJson({ active: false });
    const aud = ctx.settings.accessTokenAudience;
    return oauthJson({
      active: true,
      scope: token.scope,
      client_id: grant.client_id,
      sub: grant.sub,
      iss: ctx.issuer,
      exp: token.expiresAt,
      iat: token.expiresAt - ctx.settings.accessTokenTtl,
      token_type: 'Bearer',
      ...(aud !== undefined && { aud }),
      ...ctx.settings.introspectionClaims,
    });
  });
}
