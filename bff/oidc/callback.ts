import type { Request, Response } from 'express';
import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Providers } from './providers.ts';
import type { TransactionStore } from '../session/transaction.ts';
import type { SessionStore } from '../session/store.ts';
import { signedInUser, userClaims } from './userinfo.ts';
import { meetsAsk, withError } from './step-up-check.ts';
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

/** With `prompt=none`, these mean "the user must interact": back to the SPA, not the error page (OIDC Core §3.1.2.6). */
const SILENT_FAILURES = new Set(['login_required', 'consent_required', 'interaction_required']);

/**
 * `GET /auth/callback`: validates the authorization response (state, RFC 9207 `iss`) against the
 * provider the login went to, redeems the code with the PKCE verifier, validates the ID token
 * (signature, iss, aud, exp, nonce) and what the login asked for (acr, auth_time), completes the
 * user from UserInfo when needed, then seals a new session. Every failure lands the user on the
 * SPA's sign-in error page (a silent or step-up sign-in: back on returnTo with `error`); none is a 5xx.
 * @see RFC 6749 §4.1.2–4.1.4, RFC 9207, OIDC Core §3.1.3.7, RFC 9470
 */
export function createCallbackHandler(
  config: Config,
  providers: Providers,
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
    // Only the provider this login went to may answer it: its issuer is what `iss` and the ID token must name.
    const provider = providers.named(tx.provider ?? providers.default.provider.name);
    if (!provider) return fail(res, 'login_failed', 'This sign-in attempt expired or was already used. Please sign in again.');
    // The response is judged as received at our public redirect URI (behind proxies req.url's host differs).
    const currentUrl = new URL(config.redirectUri);
    currentUrl.search = query.toString();

    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    let server: oidc.Configuration;
    try {
      server = await provider.configuration();
      tokens = await oidc.authorizationCodeGrant(server, currentUrl, {
        pkceCodeVerifier: tx.code_verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
      await provider.verifyIdTokenSignature(server, tokens.id_token);
      tokenFields(tokens, 0); // throws on a token_type other than Bearer: a failed sign-in, not a 500
    } catch (err) {
      if (err instanceof oidc.AuthorizationResponseError && tx.prompt === 'none' && SILENT_FAILURES.has(err.error)) {
        log.info({ event: 'silent_login_failed', provider: provider.provider.name, error: err.error });
        res.setHeader('cache-control', 'no-store');
        return res.redirect(302, withError(tx.returnTo, err.error));
      }
      // The provider's own error, at the authorization endpoint or when the code is redeemed.
      const said = err instanceof oidc.AuthorizationResponseError ? { error: err.error, description: err.error_description ?? '' } : providerErrorOf(err);
      const error = printable(said?.error, 64);
      const description = printable(said?.description, 300);
      const diagnosis = said && diagnoseSignInError(error ?? '', description ?? '', { redirectUri: config.redirectUri, oidc: provider.provider });
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
    if (!meetsAsk(tx.ask, claims, now)) {
      // A user who edited the authorization URL (or a provider that ignored the request) does not
      // get the stronger session: the old one, if any, stays as it was.
      log.warn({ event: 'step_up_failed', provider: provider.provider.name, asked: tx.ask, acr: claims.acr, auth_time: claims.auth_time });
      if (tokens.refresh_token && server.serverMetadata().revocation_endpoint) {
        await oidc.tokenRevocation(server, tokens.refresh_token, { token_type_hint: 'refresh_token' }).catch(() => undefined);
      }
      res.setHeader('cache-control', 'no-store');
      return res.redirect(302, withError(tx.returnTo, 'insufficient_user_authentication'));
    }
    const fields = tokenFields(tokens, now);
    const user = await signedInUser(server, provider.provider, fields.at, fields.scope, userClaims(claims), log);
    const data = newSession({
      iss: claims.iss, user, provider: provider.provider.name, ...fields,
      ...(typeof claims.acr === 'string' ? { acr: claims.acr } : {}),
      ...(typeof claims.auth_time === 'number' ? { authTime: claims.auth_time } : {}),
      ...(typeof claims.sid === 'string' ? { psid: claims.sid } : {}),
    }, now);
    // Signing in over an existing session replaces it: the old one is refused from now on.
    const previous = await sessions.read(req);
    if (previous.state === 'active') sessions.end(previous.data, previous.raw);
    try {
      await sessions.write(req, res, data);
    } catch (err) {
      log.warn({ event: 'login_failed', reason: err instanceof Error ? err.message : String(err) });
      return fail(res, 'login_failed', "The identity provider's tokens are too large to keep in a session.");
    }
    log.info({ event: 'login', provider: provider.provider.name, sub: claims.sub });
    res.setHeader('cache-control', 'no-store');
    res.redirect(302, tx.returnTo);
  };
}
