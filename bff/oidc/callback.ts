import type { Request, Response } from 'express';
import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { ProviderClient } from './discovery.ts';
import type { TransactionStore } from '../session/transaction.ts';
import type { SessionStore } from '../session/store.ts';
import { PROTOCOL_CLAIMS, type SessionData } from '../session/data.ts';
import { diagnoseSignInError, providerErrorOf } from './diagnosis.ts';
import { loginErrorLocation, providerUnavailableLocation } from './login-error.ts';
import { ProviderUnavailable } from '../errors.ts';
import { providerErrorKind } from './provider-errors.ts';
import { tokenFields } from './refresh.ts';
import { newSession } from '../session/new-session.ts';

/** RFC 6749 §4.1.2.1: error codes are %x20-21 / %x23-5B / %x5D-7E; anything else is not shown. */
function printable(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/.test(value) ? value.slice(0, max) : undefined;
}

/**
 * `GET /auth/callback`: validates the authorization response (state, RFC 9207 `iss`), redeems the
 * code with the PKCE verifier, validates the ID token (signature, iss, aud, exp, nonce), then seals
 * a new session. Every failure lands the user on the SPA's sign-in error page; none is a 5xx.
 * @see RFC 6749 §4.1.2–4.1.4, RFC 9207, OIDC Core §3.1.3.7
 */
export function createCallbackHandler(
  config: Config,
  provider: ProviderClient,
  transactions: TransactionStore,
  sessions: SessionStore,
  log: Logger,
) {
  function fail(res: Response, error: string, description: string, hint?: string): void {
    res.setHeader('cache-control', 'no-store');
    res.redirect(302, loginErrorLocation(error, description, hint));
  }

  return async function completeLogin(req: Request, res: Response): Promise<void> {
    const tx = await transactions.take(req, res);
    const query = new URL(req.originalUrl, config.publicOrigin).searchParams;
    if (!tx) {
      log.warn({ event: 'login_failed', reason: 'missing, invalid or replayed login transaction' });
      return fail(res, 'login_failed', 'This sign-in attempt expired or was already used. Please sign in again.');
    }
    // The response is judged as received at our public redirect URI (behind proxies req.url's host differs).
    const currentUrl = new URL(config.redirectUri);
    currentUrl.search = query.toString();

    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      const server = await provider.configuration();
      tokens = await oidc.authorizationCodeGrant(server, currentUrl, {
        pkceCodeVerifier: tx.code_verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
      tokenFields(tokens, 0); // throws on a token_type other than Bearer: a failed sign-in, not a 500
    } catch (err) {
      // The provider's own error, at the authorization endpoint or when the code is redeemed.
      const said = err instanceof oidc.AuthorizationResponseError ? { error: err.error, description: err.error_description ?? '' } : providerErrorOf(err);
      const error = printable(said?.error, 64);
      const description = printable(said?.description, 300);
      const diagnosis = said && diagnoseSignInError(error ?? '', description ?? '', config);
      if (diagnosis) {
        // Our configuration, not the user: the log and the page both say what to change.
        log.warn({ event: 'login_failed', ...diagnosis, error });
        return fail(res, error ?? diagnosis.reason, diagnosis.cause, diagnosis.fix);
      }
      if (err instanceof oidc.AuthorizationResponseError) {
        // The provider said no (access_denied, login_required…): show its words, as text only.
        log.info({ event: 'login_error_from_provider', error: err.error });
        return fail(res, error ?? 'login_failed', description ?? 'The identity provider refused the sign-in.');
      }
      const kind = err instanceof ProviderUnavailable ? 'unavailable' : providerErrorKind(err);
      log.warn({ event: 'login_failed', reason: err instanceof Error ? err.message : String(err), kind, ...(said ? { error } : {}) });
      if (kind === 'unavailable') {
        res.setHeader('cache-control', 'no-store');
        return res.redirect(302, providerUnavailableLocation(provider.problem()));
      }
      return fail(res, 'login_failed', 'The sign-in response could not be verified. Please sign in again.');
    }

    const claims = tokens.claims();
    if (!claims) return fail(res, 'login_failed', 'The identity provider sent no ID token.');
    const now = sessions.now();
    const user = Object.fromEntries(Object.entries(claims).filter(([k]) => !PROTOCOL_CLAIMS.has(k))) as SessionData['user'];
    const psid = typeof claims.sid === 'string' ? claims.sid : undefined;
    const data = newSession({ iss: claims.iss, user, ...(psid !== undefined ? { psid } : {}), ...tokenFields(tokens, now) }, now);
    // Signing in over an existing session replaces it: the old one is refused from now on.
    const previous = await sessions.read(req);
    if (previous.state === 'active') sessions.end(previous.data, previous.raw);
    try {
      await sessions.write(req, res, data);
    } catch (err) {
      log.warn({ event: 'login_failed', reason: err instanceof Error ? err.message : String(err) });
      return fail(res, 'login_failed', "The identity provider's tokens are too large to keep in a session.");
    }
    log.info({ event: 'login', sub: claims.sub });
    res.setHeader('cache-control', 'no-store');
    res.redirect(302, tx.returnTo);
  };
}
