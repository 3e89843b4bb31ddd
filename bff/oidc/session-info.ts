import type { Request, Response } from 'express';
import type { SessionResolver } from '../session/resolve.ts';
import type { SessionResponse } from '../../shared/session.ts';
import type { Config } from '../config.ts';
import { paths } from '../../shared/paths.ts';
import { sendJson } from '../http/json.ts';

/**
 * `GET /auth/session`: who is signed in (and with which provider, how and when: `acr`, `auth_time`), the logout URL carrying the session id, and when the
 * session ends. Never a token. A call counts as activity for the idle timeout.
 */
export function createSessionInfoHandler(config: Config, sessions: SessionResolver) {
  return async function sessionInfo(req: Request, res: Response): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    const current = await sessions.resolve(req, res, { fresh: false, touch: true });
    if (current.state !== 'active') {
      sendJson(res, 200, { authenticated: false } satisfies SessionResponse);
      return;
    }
    const { data } = current;
    // acr and auth_time are protocol claims kept beside the user; the SPA sees them as claims.
    const user = {
      ...data.user,
      ...(data.acr !== undefined ? { acr: data.acr } : {}),
      ...(data.authTime !== undefined ? { auth_time: data.authTime } : {}),
    };
    const body: SessionResponse = {
      authenticated: true,
      user,
      provider: data.provider ?? config.oidc.name,
      logoutUrl: `${paths.logout}?sid=${encodeURIComponent(data.sid)}`,
      expiresAt: Math.min(data.createdAt + config.session.absoluteTimeoutS, data.seenAt + config.session.idleTimeoutS),
    };
    sendJson(res, 200, body);
  };
}
