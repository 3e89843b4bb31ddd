import type { Request, Response } from 'express';
import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import type { ProviderClient } from './discovery.ts';
import type { TransactionStore } from '../session/transaction.ts';
import { safeReturnTo } from './return-to.ts';
import { providerUnavailableLocation } from './login-error.ts';
import { clientKey, createLoginLimit } from './login-limit.ts';
import { TooManyRequests } from '../errors.ts';

/**
 * `GET /auth/login`: starts the authorization code flow with PKCE S256 and fresh state and nonce,
 * kept in the login-transaction cookie.
 * @see RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1
 */
export function createLoginHandler(config: Config, provider: ProviderClient, transactions: TransactionStore, nowMs: () => number = Date.now) {
  const limit = createLoginLimit(config.session.loginRatePerMin, nowMs);
  return async function startLogin(req: Request, res: Response): Promise<void> {
    const retryAfterS = limit.take(clientKey(req.socket.remoteAddress));
    if (retryAfterS > 0) throw new TooManyRequests('Too many sign-in attempts from this address; try again shortly.', retryAfterS);
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
      scope: config.oidc.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(code_verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    };
    if (config.oidc.prompt) params.prompt = config.oidc.prompt;
    await transactions.begin(res, { state, nonce, code_verifier, returnTo });
    res.setHeader('cache-control', 'no-store');
    res.redirect(302, oidc.buildAuthorizationUrl(server, params).href);
  };
}
