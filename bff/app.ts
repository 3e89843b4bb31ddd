import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { ProviderDeps } from './oidc/discovery.ts';
import { createProviders } from './oidc/providers.ts';
import { createProviderListHandler } from './oidc/provider-list.ts';
import { createLoginHandler } from './oidc/login.ts';
import { createCallbackHandler } from './oidc/callback.ts';
import { createLogoutHandler } from './oidc/logout.ts';
import { createSessionInfoHandler } from './oidc/session-info.ts';
import { createReadyzHandler } from './oidc/readiness.ts';
import { sessionCookieName } from './session/store.ts';
import { createSessionLayer } from './session/layer.ts';
import { createApiHandler } from './relay/api.ts';
import { createLiveSockets } from './relay/live-sockets.ts';
import { createUpgradeHandler } from './relay/websocket.ts';
import { createRoutesTable } from './routes/table.ts';
import { createClientCredentials } from './tokens/client-credentials.ts';
import { clientCredentialsGrant } from './oidc/client-credentials.ts';
import { createBearerVerifier } from './tokens/bearer.ts';
import { createDeviceRoutes } from './device/index.ts';
import { sendProblem } from './http/problem.ts';
import { contentSecurityPolicy, setSecurityHeaders } from './http/security-headers.ts';
import { createStaticHandler } from './http/static.ts';
import { assertWellFormedQuery, MAX_URL_LENGTH } from './http/query.ts';
import { BffError, MethodNotAllowed, NotFound, UriTooLong } from './errors.ts';
import { isApiUrl, isBffUrl } from './http/owned.ts';
import { countError, counted, countedClientCredentials, countRequest, NO_METRICS, setsCookie, type Metrics } from './metrics.ts';
import type { SessionData } from './session/data.ts';
import { createUserMiddleware } from './http/user-middleware.ts';
import { paths } from '../shared/paths.ts';
import type { StateStore } from './state/index.ts';
import { sharedClientTokens } from './state/shared-client-tokens.ts';
import { createSealer } from './session/seal.ts';
import { createBackchannelLogoutHandler, logoutIssuerAmong } from './oidc/backchannel-logout.ts';
import { sendJson } from './http/json.ts';

export interface AppDeps extends ProviderDeps {
  log: Logger;
  /** Folder of the built SPA (tests give an empty one); default: `config.staticDir`, else this project's build. */
  staticDir?: string;
  /** Epoch milliseconds; injected so tests can move time. */
  clock?: () => number;
  /** The instruments (`startMetrics`); default: none. */
  metrics?: Metrics;
  /** Shared state; default: Redis with `REDIS_URL`, else memory (see bff/state/). */
  store?: StateStore;
}

export interface App {
  /**
   * The node:http request listener. With `next` (a host app's middleware chain), requests the BFF
   * does not own go there untouched; without it, to the SPA (or a 404 problem).
   */
  handle(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /**
   * The node:http `upgrade` listener: WebSockets on `/api` routes with `websocket: true` (anything
   * else answers 400). With `next`, upgrades outside `/api` go there untouched.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, next?: () => void): void;
  /** Closes (1008) the WebSockets of a session that ended elsewhere (back-channel logout, another instance). */
  sessionEnded(sid: string): void;
  /** Closes every relayed WebSocket (1001): node's server.close() waits for upgraded sockets too. */
  closeWebSockets(): void;
  requireUser: UserMiddlewareFactory;
  optionalUser: UserMiddlewareFactory;
  /** Starts discovery so /readyz turns green without waiting for the first sign-in. */
  warmUp(): Promise<boolean>;
  close(): void;
}

/** `vite build` writes the SPA to dist/spa: a sibling of dist/bff/ when compiled, under dist/ when run from source. */
const OWN_SPA = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../spa' : '../dist/spa', import.meta.url));

type UserMiddlewareFactory = ReturnType<typeof createUserMiddleware>['requireUser'];

/** Builds the BFF from a parsed config and injected I/O. Nothing here listens or reads the environment. */
export function createApp(config: Config, deps: AppDeps): App {
  const { log } = deps;
  const clock = deps.clock ?? Date.now;
  const nowS = () => Math.floor(clock() / 1000);
  const metrics = deps.metrics ?? NO_METRICS;
  const providers = createProviders(config, deps);
  const provider = providers.default;
  const { state, ended, sessions, transactions, resolver } = createSessionLayer(config, { log, clock, metrics, providers, store: deps.store });
  // WebSockets close (1008) with their session: timeouts, and every ending the denylist learns
  // (logout, refresh rejected, back-channel logout, another instance's logout) at once (live-sockets.ts).
  const live = createLiveSockets({
    absoluteTimeoutS: config.session.absoluteTimeoutS,
    idleTimeoutS: config.session.idleTimeoutS,
    clock,
    isEnded: (s) => ended.isEnded(s as SessionData),
  });
  ended.onEnded(live.check);
  // Client-credentials tokens are replaced 30 s before they expire (or at half their life).
  const shared = state.kind === 'redis' ? { shared: sharedClientTokens(state, createSealer(config.session.secrets), clock) } : {};
  const clientTokens = createClientCredentials(countedClientCredentials(metrics, clientCredentialsGrant(provider, nowS)), { skewS: 30, now: clock, ...shared });
  const bearer = createBearerVerifier(config, { configuration: provider.configuration, ...(deps.fetch ? { fetch: deps.fetch } : {}), clock });
  const api = createApiHandler(config, createRoutesTable(config), resolver, clientTokens, bearer, clock, live.seen);
  const https = config.secureCookies;
  const csp = contentSecurityPolicy(config.csp);
  const sessionCookie = sessionCookieName(config);

  const web = express();
  web.disable('x-powered-by');
  web.set('etag', false);
  web.set('query parser', 'simple');
  web.use((_req, res, next) => {
    setSecurityHeaders(res, https, csp);
    next();
  });
  web.get(paths.healthz, (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    sendJson(res, 200, { status: 'ok' });
  });
  web.get(paths.readyz, createReadyzHandler(providers.all));
  // The callback is exempt: whatever arrives there must end on the sign-in error page, not a 400.
  web.use([paths.login, paths.session, paths.logout], assertWellFormedQuery);
  web.get(paths.login, createLoginHandler(config, providers, transactions, clock));
  web.get(paths.callback, counted(createCallbackHandler(config, providers, transactions, sessions, log), (res) => metrics.signIn(setsCookie(res, sessionCookie) ? 'success' : 'failure')));
  web.get(paths.providers, createProviderListHandler(config));
  web.get(paths.session, createSessionInfoHandler(config, resolver));
  web.get(paths.logout, counted(createLogoutHandler(config, providers, sessions, resolver, log), (res) => metrics.signOut(res.statusCode === 302 ? 'success' : 'failure')));
  if (config.deviceFlow) web.use(createDeviceRoutes(config, provider, log, clock));
  const backchannel = createBackchannelLogoutHandler({ issuerOf: logoutIssuerAmong(providers.all), ended, store: state, now: nowS, absoluteTimeoutS: config.session.absoluteTimeoutS, fetch: deps.fetch, log });
  web.post(paths.backchannelLogout, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 10 }), counted(backchannel, (res) => metrics.backchannelLogout(res.statusCode === 200 ? 'accepted' : 'rejected')));
  web.all('/auth/{*rest}', (req) => {
    if (req.path === paths.backchannelLogout) throw new MethodNotAllowed('POST');
    const known = [paths.login, paths.callback, paths.session, paths.logout, paths.providers] as string[];
    throw known.includes(req.path) ? new MethodNotAllowed('GET, HEAD') : new NotFound();
  });
  const staticDir = deps.staticDir ?? (config.staticDir === null ? undefined : (config.staticDir ?? OWN_SPA));
  if (staticDir !== undefined) web.use(...createStaticHandler(staticDir));
  web.use(() => {
    throw new NotFound();
  });
  web.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    logError(log, err, req.method, req.path);
    countError(metrics, res, err);
    sendProblem(res, err);
  });

  /** Errors answered before Express (URL limit, the /api fast path) carry the same headers as the rest. */
  function refuse(res: ServerResponse, err: unknown): void {
    countError(metrics, res, err);
    if (!res.headersSent) setSecurityHeaders(res, https, csp);
    sendProblem(res, err);
  }

  function handle(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void {
    const url = req.url ?? '/';
    if (next !== undefined && !isBffUrl(url)) {
      next();
      return;
    }
    const toApi = isApiUrl(url);
    if (metrics.enabled) countRequest(metrics, req, res, toApi);
    if (url.length > MAX_URL_LENGTH) {
      refuse(res, new UriTooLong());
      return;
    }
    if (toApi) {
      api.relayApi(req, res).catch((err: unknown) => {
        logError(log, err, req.method, '/api');
        refuse(res, err);
      });
      return;
    }
    web(req, res);
  }

  const websockets = createUpgradeHandler(config, api, live, (res, err) => {
    logError(log, err, 'GET', '/api (upgrade)');
    refuse(res, err);
  });
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, next?: () => void): void {
    if (next !== undefined && !isApiUrl(req.url ?? '/')) next();
    else websockets.upgrade(req, socket, head);
  }

  const users = createUserMiddleware(config, resolver, bearer, clock, (res, err) => countError(metrics, res, err));
  return {
    handle,
    upgrade,
    sessionEnded: live.sessionEnded,
    requireUser: users.requireUser,
    optionalUser: users.optionalUser,
    warmUp: () => Promise.all(providers.all.map((p) => p.configuration().then(() => true, () => false))).then((ok) => ok.every(Boolean)),
    closeWebSockets: websockets.closeAll,
    close: () => {
      websockets.closeAll();
      live.close();
      api.close();
      void state.close();
    },
  };
}

function logError(log: Logger, err: unknown, method: string | undefined, path: string): void {
  // Refusals and "not ready yet" (probed every few seconds during start-up) are routine, not warnings.
  if (err instanceof BffError && (err.status < 500 || err.code === 'not_ready')) log.debug({ event: 'refused', method, path, code: err.code, status: err.status });
  else log.warn({ event: 'error', method, path, err });
}
