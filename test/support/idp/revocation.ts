import { http, HttpResponse } from 'msw';
import type { HttpHandler } from 'msw';
import { authenticateClient } from './client-auth.ts';
import type { IdpContext } from './context.ts';
import { oauthError, readForm } from './responses.ts';

/**
 * Revokes `token` if this client owns it. A refresh token takes its whole grant with it, as
 * RFC 7009 §2.1 recommends; an access token goes alone. Unknown or foreign tokens are ignored.
 * @see RFC 7009 §2.1
 */
function revoke(ctx: IdpContext, clientId: string, token: string): void {
  const { store } = ctx;
  const refresh = store.refreshTokens.get(token);
  const access = store.accessTokens.get(token);
  const grant = store.grantOf(refresh ?? access);
  if (!grant || grant.client_id !== clientId) return;
  if (refresh) {
    refresh.revoked = true;
    store.revokeGrant(grant.id);
  } else if (access) {
    access.revoked = true;
  }
}

/**
 * POST revocation_endpoint: always 200 once the client is authenticated, so a client cannot probe
 * which tokens exist (RFC 7009 §2.2).
 * @see RFC 7009 §2
 */
export function revocationHandler(ctx: IdpContext): HttpHandler {
  return http.post(ctx.endpoints.revocation, async ({ request }) => {
    const form = await readForm(request);
    if (!form) return oauthError('invalid_request', 'body must be application/x-www-form-urlencoded');
    const token = form.get('token');
    const hint = form.get('token_type_hint');
    ctx.calls.revocations.push({ token: token ?? '', ...(hint !== null && { token_type_hint: hint }) });
    const client = authenticateClient(ctx, request, form);
    if (client instanceof Response) return client;
    if (token === null) return oauthError('invalid_request', 'token is required');
    revoke(ctx, client.client_id, token);
    return new HttpResponse(null, { status: 200 });
  });
}
