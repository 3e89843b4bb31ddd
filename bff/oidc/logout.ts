import type { Request, Response } from 'express';
import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Providers } from './providers.ts';
import type { SessionStore } from '../session/store.ts';
import type { SessionResolver } from '../session/resolve.ts';
import { InvalidSid } from '../errors.ts';
import { assertSameOrigin } from '../http/csrf.ts';

/**
 * `GET /auth/logout?sid=…`: a top-level navigation that must name the current session (the sid is
 * only readable by our own pages via /auth/session), so another site cannot log the user out.
 * Ends the session here, revokes the refresh token where the provider can, then RP-initiated logout.
 * @see OpenID Connect RP-Initiated Logout 1.0 §2, RFC 7009
 */
export function createLogoutHandler(config: Config, providers: Providers, sessions: SessionStore, resolver: SessionResolver, log: Logger) {
  return async function endSession(req: Request, res: Response): Promise<void> {
    assertSameOrigin(req, config.publicOrigin);
    res.setHeader('cache-control', 'no-store');
    const current = await resolver.resolve(req, res, { fresh: false, touch: false });
    if (current.state !== 'active') {
      // Nothing to end (expired or absent, its cookies already cleared): go where a logout would have gone.
      res.redirect(302, config.oidc.postLogoutRedirectUri);
      return;
    }
    if (typeof req.query.sid !== 'string' || req.query.sid !== current.data.sid) throw new InvalidSid();

    sessions.end(current.data, current.raw);
    sessions.clear(req, res);
    log.info({ event: 'logout', sub: current.data.user.sub });

    // The session's own provider only: another one would learn of a token it never issued.
    const provider = providers.of(current.data);
    let server: oidc.Configuration | undefined;
    try {
      server = await provider?.configuration();
      if (server && current.data.rt && server.serverMetadata().revocation_endpoint) {
        await oidc.tokenRevocation(server, current.data.rt, { token_type_hint: 'refresh_token' });
      }
    } catch (err) {
      // The session is already gone here; a failed revocation must not keep the user signed in.
      log.warn({ event: 'revocation_failed', reason: err instanceof Error ? err.message : String(err) });
    }
    const target = provider && server?.serverMetadata().end_session_endpoint
      ? oidc.buildEndSessionUrl(server, {
          client_id: provider.provider.clientId,
          post_logout_redirect_uri: config.oidc.postLogoutRedirectUri,
        }).href
      : config.oidc.postLogoutRedirectUri;
    res.redirect(302, target);
  };
}
