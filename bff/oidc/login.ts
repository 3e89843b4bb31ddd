import type { Request, Response } from 'express';
import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import type { Providers } from './providers.ts';
import type { TransactionStore } from '../session/transaction.ts';
import { safeReturnTo } from './return-to.ts';
import { providerUnavailableLocation } from './login-error.ts';
import { clientKey, createLoginLimit } from './login-limit.ts';
import { loginParams } from './login-params.ts';
import { BadRequest, TooManyRequests, UnknownProvider } from '../errors.ts';

/**
 * `GET /auth/login[?provider=NAME]`: starts the authorization code flow with PKCE S256 and fresh
 * state and nonce at the named provider (or the default one), passing the validated login
 * parameters through; the provider and what was asked are kept in the login-transaction cookie.
 * @see RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1
 */
export function createLoginHandler(config: Config, providers: Providers, transactions: TransactionStore, nowMs: () => number = Date.now) {
  const limit = createLoginLimit(config.session.loginRatePerMin, nowMs);
  return async function startLogin(req: Request, res: Response): Promise<void> {
    const retryAfterS = limit.take(clientKey(req.socket.remoteAddress));
    if (retryAfterS > 0) throw new TooManyRequests('Too many sign-in attempts from this address; try again shortly.', retryAfterS);
    const named = req.query.provider;
    if (named !== undefined && typeof named !== 'string') throw new BadRequest('provider must be a name.');
    const provider = named === undefined ? providers.default : providers.named(named);
    if (provider === undefined) throw new UnknownProvider();
    const asked = loginParams(req.query);
    const returnTo = safeReturnTo(req.query.returnTo, config.publicOrigin);
    let server: oidc.Configuration;
    try {
      server = await provider.configuration();
    } catch {
      // A top-level navigation: show the SPA's sign-in error page, not a JSON 503.
      res.redirect(302, providerUnavailableLocation(provider.problem()));
      return;
    }
    const code_verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const params: Record<string, string> = {
      redirect_uri: config.redirectUri,
      scope: provider.provider.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(code_verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    };
    const prompt = asked.prompt ?? provider.provider.prompt;
    if (prompt) params.prompt = prompt;
    for (const key of ['login_hint', 'ui_locales', 'acr_values'] as const) if (asked[key] !== undefined) params[key] = asked[key];
    if (asked.max_age !== undefined) params.max_age = String(asked.max_age);
    const ask = { ...(asked.acr_values !== undefined ? { acr_values: asked.acr_values } : {}), ...(asked.max_age !== undefined ? { max_age: asked.max_age } : {}) };
    await transactions.begin(res, {
      state, nonce, code_verifier, returnTo, provider: provider.provider.name,
      ...(prompt ? { prompt } : {}),
      ...(Object.keys(ask).length > 0 ? { ask } : {}),
    });
    res.setHeader('cache-control', 'no-store');
    res.redirect(302, oidc.buildAuthorizationUrl(server, params).href);
  };
}
