import { http } from 'msw';
import type { HttpHandler } from 'msw';
import { findClient, WRONG_ISSUER } from './context.ts';
import type { IdpContext } from './context.ts';
import { randomToken } from './keys.ts';
import { isPkceValue } from './pkce.ts';
import { errorPage, redirectTo } from './responses.ts';
import { nowSeconds } from './store.ts';

/**
 * The RFC 9207 `iss` value to attach, or undefined to leave it out.
 * @see RFC 9207 §2
 */
function issParam(ctx: IdpContext): string | undefined {
  if (ctx.faults.issParam === 'missing') return undefined;
  if (ctx.faults.issParam === 'wrong') return WRONG_ISSUER;
  return ctx.advertiseIss ? ctx.issuer : undefined;
}

/** The authorization response, success or error, sent back to the (already validated) redirect_uri. */
function authorizationResponse(ctx: IdpContext, redirectUri: string, state: string | null, params: Record<string, string>): Response {
  const location = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) location.searchParams.set(k, v);
  if (state !== null) location.searchParams.set('state', state);
  const iss = issParam(ctx);
  if (iss !== undefined) location.searchParams.set('iss', iss);
  return redirectTo(location);
}

/** The first reason the request is malformed, as an RFC 6749 §4.1.2.1 error pair, or undefined. */
function requestError(query: URLSearchParams): [string, string] | undefined {
  for (const key of new Set(query.keys())) {
    if (query.getAll(key).length > 1) return ['invalid_request', `${key} repeated`];
  }
  if (query.get('response_type') !== 'code') return ['unsupported_response_type', 'only response_type=code is supported'];
  const mode = query.get('response_mode');
  if (mode !== null && mode !== 'query') return ['invalid_request', 'only response_mode=query is supported'];
  const challenge = query.get('code_challenge');
  if (challenge === null || !isPkceValue(challenge)) return ['invalid_request', 'code_challenge required (RFC 7636)'];
  if (query.get('code_challenge_method') !== 'S256') return ['invalid_request', 'code_challenge_method must be S256'];
  if (!(query.get('scope') ?? '').split(' ').includes('openid')) return ['invalid_scope', 'scope must include openid'];
  return undefined;
}

/**
 * GET authorization_endpoint: validates the request, "signs in" `settings.user` and redirects back with a code.
 * An unknown client or unregistered redirect_uri gets an error page, because redirecting there would make
 * the provider an open redirector.
 * @see RFC 6749 §4.1.1
 * @see RFC 6749 §4.1.2.1
 * @see RFC 7636 §4.3
 */
export function authorizeHandler(ctx: IdpContext): HttpHandler {
  return http.get(ctx.endpoints.authorize, ({ request }) => {
    const url = new URL(request.url);
    ctx.calls.authorize.push(url);
    const query = url.searchParams;
    const client = findClient(ctx, query.get('client_id'));
    if (!client) return errorPage('Unknown client_id.');
    const redirectUri = query.get('redirect_uri');
    if (redirectUri === null || !client.redirect_uris.includes(redirectUri)) return errorPage('The redirect_uri is not registered for this client.');

    const state = query.get('state');
    const invalid = requestError(query);
    if (invalid) return authorizationResponse(ctx, redirectUri, state, { error: invalid[0], error_description: invalid[1] });
    const fault = ctx.faults.authorize;
    if (fault) return authorizationResponse(ctx, redirectUri, state, { ...fault });

    const code = ctx.store.issueCode({
      client_id: client.client_id,
      redirect_uri: redirectUri,
      code_challenge: query.get('code_challenge') ?? '',
      nonce: query.get('nonce') ?? undefined,
      scope: query.get('scope') ?? '',
      // A snapshot: changing settings.user later must not rewrite who signed in here.
      claims: structuredClone(ctx.settings.user),
      auth_time: nowSeconds() - (ctx.faults.authTimeAgoS ?? 0),
      sid: randomToken('sid'),
      // The first requested class is the one "achieved"; faults.acr plays a provider that ignores the request.
      acr: ctx.faults.acr ?? query.get('acr_values')?.split(' ')[0],
    });
    return authorizationResponse(ctx, redirectUri, state, { code });
  });
}
