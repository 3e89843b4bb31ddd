import { randomInt } from 'node:crypto';
import { http } from 'msw';
import type { HttpHandler } from 'msw';
import { authenticateClient } from './client-auth.ts';
import type { IdpContext } from './context.ts';
import { randomToken } from './keys.ts';
import { oauthError, oauthJson, readForm } from './responses.ts';
import { nowSeconds } from './store.ts';
import type { Grant } from './store.ts';
import type { MockClient } from './types.ts';

/** One device authorization, from `POST /device_authorization` until its code is redeemed. */
export interface DeviceAuthorization {
  readonly client_id: string;
  readonly user_code: string;
  readonly scope: string;
  expiresAt: number;
  interval: number;
  status: 'pending' | 'approved' | 'denied' | 'redeemed';
  /** Epoch ms of the last poll, for `slow_down`. */
  lastPollAt: number | undefined;
  /** The user who approved it (settings.user at approval). */
  claims?: Record<string, unknown>;
}

const USER_CODE_CHARS = 'BCDFGHJKLMNPQRSTVWXZ';
const userCode = () => Array.from({ length: 8 }, (_, i) => (i === 4 ? '-' : '') + USER_CODE_CHARS[randomInt(USER_CODE_CHARS.length)]).join('');

/**
 * POST device_authorization_endpoint.
 * @see RFC 8628 §3.1, §3.2
 */
export function deviceAuthorizationHandler(ctx: IdpContext): HttpHandler {
  return http.post(ctx.endpoints.deviceAuthorization, async ({ request }) => {
    ctx.calls.deviceAuthorization += 1;
    const form = await readForm(request);
    if (!form) return oauthError('invalid_request', 'body must be application/x-www-form-urlencoded');
    const client = authenticateClient(ctx, request, form);
    if (client instanceof Response) return client;
    const device_code = randomToken('dc');
    const user_code = userCode();
    const { deviceCodeTtl: expires_in, deviceInterval: interval } = ctx.settings;
    ctx.store.devices.set(device_code, {
      client_id: client.client_id, user_code, scope: form.get('scope') ?? 'openid', expiresAt: nowSeconds() + expires_in,
      interval, status: 'pending', lastPollAt: undefined,
    });
    const verification_uri = `${ctx.issuer}/device`;
    return oauthJson({ device_code, user_code, verification_uri, verification_uri_complete: `${verification_uri}?user_code=${user_code}`, expires_in, interval });
  });
}

/**
 * grant_type=urn:ietf:params:oauth:grant-type:device_code: `authorization_pending` until the user
 * decides, `slow_down` (and 5 s more interval) when polled faster than the interval, then
 * `access_denied`, `expired_token`, or the tokens (once).
 * @see RFC 8628 §3.4, §3.5
 */
export async function deviceCodeGrant(
  ctx: IdpContext,
  client: MockClient,
  form: URLSearchParams,
  respond: (grant: Grant, scope: string) => Promise<Response>,
): Promise<Response> {
  ctx.calls.tokenDeviceCode += 1;
  const device = ctx.store.devices.get(form.get('device_code') ?? '');
  if (!device || device.client_id !== client.client_id || device.status === 'redeemed') return oauthError('invalid_grant', 'unknown device code');
  if (device.expiresAt <= nowSeconds()) return oauthError('expired_token', 'the device code has expired');
  if (device.status === 'denied') return oauthError('access_denied', 'the user denied the request');
  if (device.status === 'pending') {
    const now = Date.now();
    const tooSoon = device.lastPollAt !== undefined && now - device.lastPollAt < device.interval * 1000;
    device.lastPollAt = now;
    if (tooSoon) {
      device.interval += 5;
      return oauthError('slow_down', 'polling too fast');
    }
    return oauthError('authorization_pending', 'the user has not decided yet');
  }
  device.status = 'redeemed';
  const claims = device.claims ?? ctx.settings.user;
  const grant: Grant = {
    id: randomToken('grant'), client_id: client.client_id, sub: String(claims.sub), sid: randomToken('sid'),
    auth_time: nowSeconds(), acr: undefined, scope: device.scope, claims, revoked: false,
  };
  ctx.store.grants.set(grant.id, grant);
  return respond(grant, device.scope);
}

/** What a test does in the user's place at the verification URI. */
export function decideDevice(ctx: IdpContext, user_code: string, decision: 'approve' | 'deny' | 'expire'): void {
  const device = [...ctx.store.devices.values()].find((d) => d.user_code === user_code);
  if (!device) throw new Error(`mock IdP: no device authorization with user code ${user_code}`);
  if (decision === 'approve') {
    device.status = 'approved';
    device.claims = structuredClone(ctx.settings.user);
  } else if (decision === 'deny') device.status = 'denied';
  else device.expiresAt = nowSeconds() - 1;
}
