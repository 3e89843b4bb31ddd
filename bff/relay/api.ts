import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import type { SessionResolver, Resolution } from '../session/resolve.ts';
import type { SessionData } from '../session/data.ts';
import type { ClientCredentials } from '../tokens/client-credentials.ts';
import type { Route, RoutesTable } from '../routes/table.ts';
import type { BearerVerifier } from '../tokens/bearer.ts';
import { hasBearer } from '../tokens/bearer.ts';
import { markRoute } from '../metrics.ts';
import { createBearerRelay } from './bearer-route.ts';
import { assertApiCsrf } from '../http/csrf.ts';
import { NotFound, SessionExpired, StepUpRequired, Unauthenticated } from '../errors.ts';
import { assertRequirements } from '../routes/require.ts';
import { refererReturnTo } from '../oidc/return-to.ts';
import { UpstreamStepUpChallenge } from './step-up-challenge.ts';
import { assertRelayableMethod, toUpstreamPath } from './path.ts';
import { createInFlightLimits } from './in-flight.ts';

/**
 * `ALL /api/*` on raw node:http (no framework on the hot path): method, CSRF, path safety, the
 * route, the session its token kind and `require` need, per-session and per-user concurrency
 * bounds, then the streaming forward with the route's token. Order matters: everything that can
 * refuse without crypto or I/O runs first, and nothing is relayed before `require` is met.
 * @see CONTRACT.md, second part, "The routes table (`apis`)"
 */
export function createApiHandler(
  config: Config,
  table: RoutesTable,
  sessions: SessionResolver,
  clientTokens: ClientCredentials,
  bearer: BearerVerifier,
  nowMs: () => number = Date.now,
  /** Told of every session a relayed request used (live WebSockets follow its idle clock). */
  onSeen: (session: SessionData) => void = () => undefined,
) {
  const inFlight = createInFlightLimits(config.api.maxInFlightPerSession, config.api.maxInFlightPerUser);
  const relayBearer = createBearerRelay(bearer, inFlight);

  /** The session the route's token kind and `require` call for; undefined where anonymous is fine. */
  function sessionFor(route: Route, current: Resolution) {
    const { token, require } = route.config;
    const mustHave = token === 'user' || require !== undefined;
    if (current.state === 'active') return current.data;
    if (!mustHave) return undefined;
    throw current.state === 'expired' ? new SessionExpired() : new Unauthenticated();
  }

  async function bearerFor(route: Route, userToken: string | undefined): Promise<string | undefined> {
    const { token, scope, resource } = route.config;
    if (token === 'none') return undefined;
    if (token === 'user' || token === 'user-optional') return userToken;
    if (token === 'user-or-client' && userToken !== undefined) return userToken;
    return (await clientTokens.clientToken({ scope, resource })).accessToken;
  }

  /** The route of an `/api` request target and the path (with query) it sends upstream; NotFound, BadPath. */
  function locate(url: string): { route: Route; upstreamPath: string } {
    const target = toUpstreamPath(url);
    const q = target.indexOf('?');
    const match = table.match(`/api${q === -1 ? target : target.slice(0, q)}`);
    if (match === undefined) throw new NotFound();
    return { route: match.route, upstreamPath: q === -1 ? match.rest : match.rest + target.slice(q) };
  }

  /**
   * The session the route needs (refreshed when stale, `require` met) and the bearer token it
   * sends upstream. Shared by the relay and the WebSocket handshake (websocket.ts).
   */
  async function authorize(req: IncomingMessage, res: ServerResponse, route: Route): Promise<{ session: SessionData | undefined; bearer: string | undefined }> {
    // A `none` or `client` route without requirements never looks at the session (no crypto, no refresh).
    const looks = route.config.token !== 'none' && route.config.token !== 'client';
    const wantsSession = looks || route.config.require !== undefined;
    let current: Resolution = { state: 'none' };
    if (wantsSession) {
      const resolved = sessions.resolve(req, res, { fresh: true, touch: true });
      current = resolved instanceof Promise ? await resolved : resolved;
    }
    const session = sessionFor(route, current);
    if (session !== undefined) {
      onSeen(session);
      if (route.config.require !== undefined) {
        const defaultScopes = (config.providers[session.provider ?? config.oidc.name] ?? config.oidc).scopes;
        assertRequirements(route.config.require, session, { nowS: Math.floor(nowMs() / 1000), defaultScopes, returnTo: refererReturnTo(req.headers.referer, config.publicOrigin) });
      }
    }
    return { session, bearer: await bearerFor(route, session?.at) };
  }

  async function relayApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    assertRelayableMethod(req.method ?? 'GET');
    // A bearer request skips CSRF only on a `bearer` route (below); everywhere else the rule holds.
    const byBearer = hasBearer(req.headers.authorization);
    if (!byBearer) assertApiCsrf(req, config.publicOrigin);
    const { route, upstreamPath } = locate(req.url ?? '/');
    markRoute(res, route.config.path);
    if (byBearer && route.config.bearer === true) return relayBearer(req, res, route, upstreamPath);
    if (byBearer) assertApiCsrf(req, config.publicOrigin);

    const { session, bearer } = await authorize(req, res, route);

    // Anonymous callers are bounded by their address, so they cannot hold the pool either.
    const who = session === undefined ? `anonymous ${req.socket.remoteAddress ?? ''}` : undefined;
    const release = inFlight.acquire(session?.sid ?? who!, session ? `${session.iss} ${session.user.sub}` : who!);
    try {
      await route.forwarder.forward(req, res, bearer, upstreamPath);
    } catch (err) {
      throw err instanceof UpstreamStepUpChallenge ? new StepUpRequired(err.ask, refererReturnTo(req.headers.referer, config.publicOrigin)) : err;
    } finally {
      release();
    }
  }

  return { relayApi, authorize, locate, close: () => table.close() };
}
