import express, { Router, type NextFunction, type Request, type Response } from 'express';
import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { ProviderClient } from '../oidc/discovery.ts';
import { clientKey, createLoginLimit } from '../oidc/login-limit.ts';
import { providerFailure, sendOAuthError, sendOAuthJson } from './oauth-answer.ts';

export const DEVICE_PATH = '/auth/device';
export const TOKEN_PATH = '/auth/token';
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const DEVICE_FIELDS = ['device_code', 'user_code', 'verification_uri', 'verification_uri_complete', 'expires_in', 'interval'] as const;
const TOKEN_FIELDS = ['access_token', 'token_type', 'expires_in', 'refresh_token', 'id_token', 'scope'] as const;

function pick(body: object, fields: readonly string[]): Record<string, unknown> {
  const source = body as Record<string, unknown>;
  return Object.fromEntries(fields.filter((f) => source[f] !== undefined).map((f) => [f, source[f]]));
}

const field = (req: Request, name: string): string | undefined => {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/**
 * `POST /auth/device` and `POST /auth/token`: the device flow for command-line tools, with the
 * BFF's confidential client (the tool holds no secret). The BFF relays single steps: the tool polls
 * `/auth/token` at the interval the provider asked for. No cookie is read or set, answers are
 * `no-store`, and each client address has a token bucket the size of `LOGIN_RATE_LIMIT_PER_MIN`,
 * so the routes cannot be used to hammer the provider.
 * @see RFC 8628; CONTRACT.md, second part, "Non-browser clients"
 */
export function createDeviceRoutes(config: Config, provider: ProviderClient, log: Logger, nowMs: () => number): Router {
  const limit = createLoginLimit(config.session.loginRatePerMin, nowMs);
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });

  function limited(req: Request, res: Response, next: NextFunction): void {
    const retryAfterS = limit.take(clientKey(req.socket.remoteAddress));
    if (retryAfterS > 0) sendOAuthError(res, 429, 'slow_down', 'Too many requests from this address; wait before trying again.', { 'retry-after': String(retryAfterS) });
    else next();
  }

  async function call<T>(res: Response, step: string, run: (server: oidc.Configuration) => Promise<T>): Promise<T | undefined> {
    try {
      return await run(await provider.configuration());
    } catch (err) {
      const failure = providerFailure(err);
      if (failure.warn) log.warn({ event: 'device_flow_failed', step, err });
      sendOAuthError(res, failure.status, failure.error, failure.description);
      return undefined;
    }
  }

  router.post(DEVICE_PATH, limited, form, async (req, res) => {
    const asked = field(req, 'scope');
    const allowed = config.oidc.scopes.split(' ');
    if (asked !== undefined && !asked.split(' ').every((s) => allowed.includes(s))) {
      sendOAuthError(res, 400, 'invalid_scope', 'Only scopes the BFF is configured with may be requested.');
      return;
    }
    const answer = await call(res, 'device_authorization', (server) => oidc.initiateDeviceAuthorization(server, { scope: asked ?? config.oidc.scopes }));
    if (answer) sendOAuthJson(res, 200, pick(answer, DEVICE_FIELDS));
  });

  router.post(TOKEN_PATH, limited, form, async (req, res) => {
    const grantType = field(req, 'grant_type');
    let step: (server: oidc.Configuration) => Promise<oidc.TokenEndpointResponse>;
    if (grantType === DEVICE_CODE_GRANT) {
      const deviceCode = field(req, 'device_code');
      if (deviceCode === undefined) return sendOAuthError(res, 400, 'invalid_request', 'device_code is required.');
      step = (server) => oidc.genericGrantRequest(server, DEVICE_CODE_GRANT, { device_code: deviceCode });
    } else if (grantType === 'refresh_token') {
      const refreshToken = field(req, 'refresh_token');
      if (refreshToken === undefined) return sendOAuthError(res, 400, 'invalid_request', 'refresh_token is required.');
      step = (server) => oidc.refreshTokenGrant(server, refreshToken);
    } else {
      return sendOAuthError(res, 400, grantType === undefined ? 'invalid_request' : 'unsupported_grant_type', 'grant_type must be the device_code grant or refresh_token.');
    }
    const tokens = await call(res, String(grantType), step);
    // openid-client lower-cases token_type; answer RFC 6750's spelling, as the provider most likely did.
    if (tokens) sendOAuthJson(res, 200, { ...pick(tokens, TOKEN_FIELDS), ...(tokens.token_type === 'bearer' ? { token_type: 'Bearer' } : {}) });
  });

  // A body the parser refuses (too large, malformed) is still an OAuth answer here, not problem+json.
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: unknown })?.status;
    sendOAuthError(res, typeof status === 'number' && status >= 400 && status < 500 ? status : 400, 'invalid_request');
  });
  return router;
}
