import { delay, http, HttpResponse } from 'msw';
import type { HttpHandler } from 'msw';
import { authenticateClient } from './client-auth.ts';
import type { IdpContext } from './context.ts';
import { deviceCodeGrant } from './device.ts';
import { authorizationCodeGrant, clientCredentialsGrant, refreshTokenGrant, tokenResponse } from './grants.ts';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
import { oauthError, readForm } from './responses.ts';
import type { IdpFaults } from './types.ts';

/** The canned answer for a token-endpoint fault, or undefined to behave. */
function faultResponse(fault: IdpFaults['token'] | IdpFaults['clientCredentials']): Response | undefined {
  switch (fault) {
    case 'network': return HttpResponse.error();
    case 'server_error': return oauthError('server_error', 'injected fault', 500);
    case 'invalid_grant': return oauthError('invalid_grant', 'injected fault');
    case 'invalid_scope': return oauthError('invalid_scope', 'injected fault');
    default: return undefined;
  }
}

/** Dispatches on grant_type after client authentication; faults answer first so they never consume a code. */
async function answer(ctx: IdpContext, request: Request): Promise<Response> {
  const form = await readForm(request);
  if (!form) return oauthError('invalid_request', 'body must be application/x-www-form-urlencoded');
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') ctx.calls.tokenCode += 1;
  if (grantType === 'refresh_token') ctx.calls.tokenRefresh += 1;
  const faults = { refresh_token: ctx.faults.refresh, authorization_code: ctx.faults.token, client_credentials: ctx.faults.clientCredentials };
  const fault = faultResponse(faults[grantType as keyof typeof faults]);
  if (fault) return fault;

  const client = authenticateClient(ctx, request, form);
  if (client instanceof Response) return client;
  if (grantType === 'authorization_code') return authorizationCodeGrant(ctx, client, form);
  if (grantType === 'refresh_token') return refreshTokenGrant(ctx, client, form);
  if (grantType === 'client_credentials') return clientCredentialsGrant(ctx, client, form);
  if (grantType === DEVICE_CODE_GRANT) return deviceCodeGrant(ctx, client, form, (grant, scope) => tokenResponse(ctx, grant, scope, undefined));
  return oauthError('unsupported_grant_type', `grant_type ${grantType ?? '(missing)'} is not supported`);
}

/**
 * POST token_endpoint.
 * @see RFC 6749 §3.2
 */
export function tokenHandler(ctx: IdpContext): HttpHandler {
  return http.post(ctx.endpoints.token, async ({ request }) => {
    const response = await answer(ctx, request);
    if (ctx.faults.slowMs) await delay(ctx.faults.slowMs);
    return response;
  });
}
