import { http, HttpResponse } from 'msw';
import type { HttpHandler } from 'msw';
import type { IdpContext } from './context.ts';

export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

/**
 * The provider metadata document. Optional endpoints are left out entirely when disabled,
 * so an RP that calls them anyway hits msw's unhandled-request error.
 * @see OpenID Connect Discovery 1.0 §3
 * @see RFC 8414 §2
 */
export function providerMetadata(ctx: IdpContext): Record<string, unknown> {
  const { issuer, endpoints } = ctx;
  return {
    issuer,
    authorization_endpoint: endpoints.authorize,
    token_endpoint: endpoints.token,
    userinfo_endpoint: endpoints.userinfo,
    jwks_uri: endpoints.jwks,
    ...(ctx.revocation && {
      revocation_endpoint: endpoints.revocation,
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    }),
    ...(ctx.endSession && { end_session_endpoint: endpoints.endSession }),
    scopes_supported: SUPPORTED_SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    ...(ctx.introspection && { introspection_endpoint: endpoints.introspection }),
    device_authorization_endpoint: endpoints.deviceAuthorization,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [ctx.idTokenAlg],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'name', 'email', 'preferred_username'],
    authorization_response_iss_parameter_supported: ctx.advertiseIss,
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

/** GET `/.well-known/openid-configuration`, with the discovery faults. */
export function discoveryHandler(ctx: IdpContext): HttpHandler {
  return http.get(ctx.endpoints.discovery, () => {
    ctx.calls.discovery += 1;
    if (ctx.faults.discovery === 'network') return HttpResponse.error();
    if (ctx.faults.discovery === 'server_error') return HttpResponse.json({ error: 'server_error' }, { status: 500 });
    return HttpResponse.json(providerMetadata(ctx));
  });
}

/**
 * GET jwks_uri: the public half of the signing key.
 * @see RFC 7517 §5
 */
export function jwksHandler(ctx: IdpContext): HttpHandler {
  return http.get(ctx.endpoints.jwks, () => {
    ctx.calls.jwks += 1;
    if (ctx.faults.jwks === 'network') return HttpResponse.error();
    if (ctx.faults.jwks === 'server_error') return HttpResponse.json({ error: 'server_error' }, { status: 500 });
    return HttpResponse.json({ keys: [ctx.keys.publicJwk, ...ctx.retiredJwks] });
  });
}
