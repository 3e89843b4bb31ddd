import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import type { SessionStore } from '../session/store.ts';
import type { FreshTokens } from '../session/fresh.ts';
import type { SessionData } from '../session/data.ts';
import { assertApiCsrf } from '../http/csrf.ts';
import { NotFound, SessionExpired, Unauthenticated } from '../errors.ts';
import { assertRelayableMethod, toUpstreamPath } from './path.ts';
import { createForwarder } from './forward.ts';
import { createUpstreamAgent } from './agent.ts';
import { createInFlightLimits } from './in-flight.ts';

/**
 * `ALL /api/*` on raw node:http (no framework on the hot path): method, CSRF, path safety, session,
 * fresh token, per-session and per-user concurrency bounds, then the streaming forward. Order matters: everything
 * that can refuse without crypto or I/O runs first.
 */
export function createApiHandler(config: Config, sessions: SessionStore, tokens: FreshTokens) {
  const upstreamUrl = config.api.upstreamUrl;
  const { timeoutMs, bodyIdleTimeoutMs, uploadDeadlineMs, upstreamMaxSockets } = config.api;
  const forwarder = upstreamUrl
    ? createForwarder({
        upstreamUrl,
        timeoutMs,
        bodyIdleTimeoutMs,
        uploadDeadlineMs,
        publicUrl: new URL(config.publicOrigin),
        agent: createUpstreamAgent(upstreamUrl, upstreamMaxSockets),
      })
    : undefined;
  const inFlight = createInFlightLimits(config.api.maxInFlightPerSession, config.api.maxInFlightPerUser);

  async function relayApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    assertRelayableMethod(req.method ?? 'GET');
    assertApiCsrf(req, config.publicOrigin);
    const upstreamPath = toUpstreamPath(req.url ?? '/');
    if (!forwarder) throw new NotFound();

    const peeked = sessions.peek(req);
    const current = peeked instanceof Promise ? await peeked : peeked;
    if (current.state === 'none') throw new Unauthenticated();
    if (current.state === 'expired') {
      sessions.clear(req, res);
      throw new SessionExpired();
    }
    let session: SessionData;
    let changed: boolean;
    try {
      ({ session, changed } = tokens.isStale(current.data) ? await tokens.ensureFresh(current.data) : { session: current.data, changed: false });
    } catch (err) {
      if (err instanceof SessionExpired) {
        sessions.end(current.data, current.raw);
        sessions.clear(req, res);
      }
      throw err;
    }
    if (sessions.needsTouch(session)) {
      session = { ...session, seenAt: sessions.now() };
      changed = true;
    }
    if (changed) await sessions.write(req, res, session);

    const release = inFlight.acquire(session.sid, `${session.iss} ${session.user.sub}`);
    try {
      await forwarder.forward(req, res, session.at, upstreamPath);
    } finally {
      release();
    }
  }

  return { relayApi, close: () => forwarder?.close() };
}
