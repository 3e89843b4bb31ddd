import { compactVerify } from 'jose';
import { http, HttpResponse } from 'msw';
import type { HttpHandler } from 'msw';
import { findClient } from './context.ts';
import type { IdpContext } from './context.ts';
import { errorPage, readForm, redirectTo } from './responses.ts';
import type { MockClient } from './types.ts';

/**
 * The client an `id_token_hint` was issued to, if it is one of ours. Expiry is ignored on purpose:
 * RPs typically log out with an ID Token that has long expired.
 * @see OpenID Connect RP-Initiated Logout 1.0 §2
 */
async function hintedClientId(ctx: IdpContext, hint: string): Promise<string | undefined> {
  try {
    const { payload } = await compactVerify(hint, ctx.keys.publicKey);
    const claims = JSON.parse(new TextDecoder().decode(payload)) as { iss?: unknown; aud?: unknown };
    if (claims.iss !== ctx.issuer) return undefined;
    const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    return typeof aud === 'string' ? aud : undefined;
  } catch {
    return undefined;
  }
}

/** The requesting client from client_id and/or id_token_hint, or an error message when they are bad or disagree. */
async function identifyClient(ctx: IdpContext, params: URLSearchParams): Promise<MockClient | string | undefined> {
  const hint = params.get('id_token_hint');
  const hinted = hint === null ? undefined : await hintedClientId(ctx, hint);
  if (hint !== null && hinted === undefined) return 'The id_token_hint was not issued by this provider.';
  const clientId = params.get('client_id');
  if (clientId !== null && hinted !== undefined && clientId !== hinted) return 'client_id does not match the id_token_hint.';
  const id = clientId ?? hinted;
  if (id === undefined) return undefined;
  return findClient(ctx, id) ?? 'Unknown client_id.';
}

async function endSession(ctx: IdpContext, url: URL, params: URLSearchParams): Promise<Response> {
  ctx.calls.endSession.push(url);
  const client = await identifyClient(ctx, params);
  if (typeof client === 'string') return errorPage(client);
  const target = params.get('post_logout_redirect_uri');
  if (target === null) return HttpResponse.html('<!doctype html><title>Signed out</title><h1>You are signed out.</h1>');
  // Without a known client there is no registered list to check, so the redirect would be open.
  if (!client?.post_logout_redirect_uris?.includes(target)) return errorPage('The post_logout_redirect_uri is not registered for this client.');
  const location = new URL(target);
  const state = params.get('state');
  if (state !== null) location.searchParams.set('state', state);
  return redirectTo(location);
}

/**
 * GET and POST end_session_endpoint.
 * @see OpenID Connect RP-Initiated Logout 1.0 §2, §3
 */
export function endSessionHandlers(ctx: IdpContext): HttpHandler[] {
  return [
    http.get(ctx.endpoints.endSession, ({ request }) => {
      const url = new URL(request.url);
      return endSession(ctx, url, url.searchParams);
    }),
    http.post(ctx.endpoints.endSession, async ({ request }) => {
      const form = (await readForm(request)) ?? new URLSearchParams();
      const url = new URL(ctx.endpoints.endSession);
      url.search = form.toString();
      return endSession(ctx, url, form);
    }),
  ];
}
