import type { Response } from 'express';
import * as oidc from 'openid-client';
import { sendJson } from '../http/json.ts';

/**
 * The device flow's routes answer like a token endpoint (RFC 6749 §5), not with problem+json: a
 * command-line tool built on any OAuth library reads `error` and acts on `authorization_pending`,
 * `slow_down`, `expired_token`, `access_denied` or `invalid_grant` (RFC 8628 §3.5).
 */
export function sendOAuthJson(res: Response, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('pragma', 'no-cache');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  sendJson(res, status, body);
}

export function sendOAuthError(res: Response, status: number, error: string, description?: string, headers: Record<string, string> = {}): void {
  sendOAuthJson(res, status, description === undefined ? { error } : { error, error_description: description }, headers);
}

/** Errors the provider answered that the client may act on; everything else is the provider's (or our) trouble. */
const CLIENT_ERRORS = new Set(['authorization_pending', 'slow_down', 'expired_token', 'access_denied', 'invalid_grant', 'invalid_request', 'invalid_scope', 'unsupported_grant_type']);

/**
 * A failed call to the provider, as the client should see it: the provider's OAuth error with 400,
 * or 503 `temporarily_unavailable` when it is down, misconfigured for us (`invalid_client`) or
 * answered something unusable. The second value says whether it is worth a warning in the log.
 */
export function providerFailure(err: unknown): { status: number; error: string; description?: string; warn: boolean } {
  if (err instanceof oidc.ResponseBodyError && err.status < 500 && CLIENT_ERRORS.has(err.error)) {
    return { status: 400, error: err.error, ...(err.error_description !== undefined ? { description: err.error_description } : {}), warn: false };
  }
  return { status: 503, error: 'temporarily_unavailable', description: 'The identity provider cannot complete this request; try again shortly.', warn: true };
}
