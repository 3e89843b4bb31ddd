/**
 * The BFF as a library: `createBff()` gives a host Express (or node:http) app the BFF's routes and
 * the middleware that protects its own routes. This file is the package's whole public surface.
 * @see CONTRACT.md, second part, "Your own server routes (the BFF as a library)"
 * @packageDocumentation
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { loadConfig, type Config } from './config.ts';
import { createLogger, resolveLogFormat } from './log.ts';
import { createApp } from './app.ts';
import { startMetrics } from './http/metrics-server.ts';
import type { BffRequestContext, UserMiddleware, UserRequirements } from './http/user-middleware.ts';
import type { FileInput } from './options/file-schema.ts';
import type { ProviderDeps } from './oidc/discovery.ts';

export { ConfigError, type Config } from './config.ts';
export {
  BffError,
  BadRequest,
  CsrfRejected,
  Forbidden,
  NotFound,
  SessionExpired,
  Unauthenticated,
  ProviderUnavailable,
  UpstreamUnavailable,
  UpstreamTimeout,
  InvalidToken,
  InsufficientScope,
  StepUpRequired,
  UnknownProvider,
  toProblem,
} from './errors.ts';
export { PROBLEM_CODES, PROBLEM_CONTENT_TYPE, type Problem, type ProblemCode } from '../shared/problem.ts';
export type { BffRequestContext, UserMiddleware, UserRequirements } from './http/user-middleware.ts';
export type { FileInput as BffConfigFile } from './options/file-schema.ts';

export interface CreateBffOptions {
  /** The environment variables to read (the same as the standalone server's); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where `bff.config.json` (or a relative `BFF_CONFIG`, `BFF_STATIC_DIR`) is looked up; default `process.cwd()`. */
  cwd?: string;
  /** The configuration file's content given in code, instead of reading `BFF_CONFIG` / `bff.config.json`. */
  config?: FileInput;
  /** A pino logger; default one built from `LOG_LEVEL` / `LOG_FORMAT`. */
  logger?: Logger;
  /** The network the BFF uses to reach its providers (an msw-backed or proxying fetch); default global fetch. */
  fetch?: ProviderDeps['fetch'];
}

/** What `createBff()` returns. */
export interface Bff {
  /**
   * The BFF's routes (`/auth/*`, `/api/*`, `/healthz`, `/readyz`) as a request handler. Mount it at
   * the root of your app (`app.use(bff.handler)`): anything it does not own goes to `next()`
   * untouched. Called without `next`, it serves the SPA (`BFF_STATIC_DIR`) as the standalone server does.
   */
  readonly handler: (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;
  /**
   * Middleware for your own routes that need a signed-in user: the `/api` CSRF rule (`X-CSRF: 1`),
   * transparent refresh, then `require` (a route's `claims` / `scopes`). Answers 401 `unauthenticated`
   * or `session_expired`, 403 `forbidden` as problem+json; otherwise sets `req.bff` and calls `next()`.
   * @see CONTRACT.md, "The routes table (`apis`)", `require`
   */
  readonly requireUser: (require?: UserRequirements) => UserMiddleware;
  /**
   * WebSockets on `/api` routes with `"websocket": true`: give it your server's upgrades,
   * `server.on('upgrade', bff.upgrade)`. Origin, session, `require` and refresh are checked before
   * the handshake; the socket closes with 1008 when its session ends. Other upgrades under `/api`
   * answer 400 `bad_request`; with `next`, upgrades outside `/api` go there untouched:
   * `server.on('upgrade', (req, socket, head) => bff.upgrade(req, socket, head, () => myWss.handleUpgrade(…)))`.
   */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer, next?: () => void) => void;
  /** Closes (1008) the WebSockets of a session that ended elsewhere (a back-channel logout, another instance). */
  readonly sessionEnded: (sid: string) => void;
  /** Like {@link Bff.requireUser}, but anonymous requests pass through with no `req.bff`. */
  readonly optionalUser: (require?: UserRequirements) => UserMiddleware;
  /** The parsed, frozen configuration (secrets included: never log it whole). */
  readonly config: Config;
  /** Starts provider discovery now, so `/readyz` turns green without waiting for the first sign-in; resolves `true` once loaded. */
  readonly warmUp: () => Promise<boolean>;
  /** Releases upstream sockets and timers, and closes the metrics listener (`METRICS_PORT`). The host closes its own server. */
  readonly close: () => Promise<void>;
}

/**
 * Builds the BFF from the environment and the configuration file, exactly as the standalone server
 * does. Throws one {@link ConfigError} naming every bad variable or field. Does not wait for the
 * provider: a provider that is down makes `/readyz` 503 and sign-in 503 until it is back.
 */
export async function createBff(options: CreateBffOptions = {}): Promise<Bff> {
  const config = loadConfig(options.env ?? process.env, { cwd: options.cwd ?? process.cwd(), ...(options.config ? { file: options.config } : {}) });
  const log = options.logger ?? createLogger(config.logLevel, undefined, resolveLogFormat(config.logFormat));
  const metricsEndpoint = await startMetrics(config);
  const app = createApp(config, { log, metrics: metricsEndpoint.metrics, ...(options.fetch ? { fetch: options.fetch } : {}) });
  void app.warmUp();
  return Object.freeze({
    handler: app.handle,
    upgrade: app.upgrade,
    sessionEnded: app.sessionEnded,
    requireUser: app.requireUser,
    optionalUser: app.optionalUser,
    config,
    warmUp: app.warmUp,
    close: async () => {
      app.close();
      await metricsEndpoint.close();
    },
  });
}

declare global {
  // Express's documented way to type what middleware adds to its Request.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * Set by `bff.requireUser()` (always) and `bff.optionalUser()` (when signed in): the user, the
       * access token for server-side calls, the session id. Absent on routes without that middleware.
       */
      bff: BffRequestContext;
    }
  }
}
