import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { CsrfRejected, SessionExpired, UpstreamPoolTimeout, UpstreamTimeout, UpstreamUnavailable } from './errors.ts';

export type RefreshOutcome = 'success' | 'rejected' | 'unavailable' | 'coalesced';
export type UpstreamErrorKind = 'connect' | 'timeout' | 'reset' | 'pool_wait' | 'protocol';

/**
 * The BFF's instruments. Labels are fixed vocabularies and route ids (a route's configured `path`,
 * or the name of one of the BFF's own routes): never a user, a token or a request's raw path, so
 * the series count stays bounded whatever clients send.
 * @see CONTRACT.md, second part, "Operations"
 */
export interface Metrics {
  readonly enabled: boolean;
  /** One finished request: `routeId` from {@link routeIdOf} or a routes-table path. */
  request(routeId: string, status: number): void;
  /** Time from a relayed request's arrival to its response being finished. */
  relayed(routeId: string, seconds: number): void;
  upstreamError(routeId: string, kind: UpstreamErrorKind): void;
  refresh(outcome: RefreshOutcome): void;
  signIn(outcome: 'success' | 'failure'): void;
  signOut(outcome: 'success' | 'failure'): void;
  csrfRefused(): void;
  backchannelLogout(outcome: 'accepted' | 'rejected'): void;
  clientCredentialsFetch(outcome: 'success' | 'failure'): void;
  /** The exposition, Prometheus text format. */
  render(): Promise<{ contentType: string; body: string }>;
}

const nothing = () => {};

/** Metrics off (`METRICS_PORT` unset): every instrument is a no-op, so the hot path pays a call and nothing else. */
export const NO_METRICS: Metrics = Object.freeze({
  enabled: false,
  request: nothing,
  relayed: nothing,
  upstreamError: nothing,
  refresh: nothing,
  signIn: nothing,
  signOut: nothing,
  csrfRefused: nothing,
  backchannelLogout: nothing,
  clientCredentialsFetch: nothing,
  render: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' }),
});

/** Latency buckets (seconds) for a relay whose own cost is sub-millisecond and whose upstreams take up to API_UPSTREAM_TIMEOUT_MS. */
const RELAY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/**
 * prom-client (the maintained Prometheus client for Node; works on Node ≥ 16) with its own
 * registry, not the global one, so a host app's metrics and ours never collide; plus its standard
 * process metrics. Loaded only when metrics are on.
 */
export async function createMetrics(): Promise<Metrics> {
  const prom = await import('prom-client');
  const register: Registry = new prom.Registry();
  prom.collectDefaultMetrics({ register });
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new prom.Counter<L>({ name, help, labelNames, registers: [register] });
  const requests = counter('bff_requests_total', 'Requests answered, by route id and status class.', ['route', 'status_class']);
  const relay = new prom.Histogram<'route'>({ name: 'bff_relay_duration_seconds', help: 'Relayed requests, arrival to response finished, by route id.', labelNames: ['route'], buckets: RELAY_BUCKETS, registers: [register] });
  const upstreamErrors = counter('bff_upstream_errors_total', 'Relayed requests that failed upstream, by route id and kind.', ['route', 'kind']);
  const refreshes = counter('bff_token_refreshes_total', 'Access-token refreshes, by outcome (coalesced: served by a refresh already running).', ['outcome']);
  const signIns = counter('bff_sign_ins_total', 'Sign-in callbacks, by outcome.', ['outcome']);
  const signOuts = counter('bff_sign_outs_total', 'Sign-outs (/auth/logout), by outcome.', ['outcome']);
  const csrf = counter('bff_csrf_refusals_total', 'Requests refused by the CSRF rules.', []);
  const backchannel = counter('bff_backchannel_logouts_total', 'Back-channel logout requests, by outcome.', ['outcome']);
  const clientCredentials = counter('bff_client_credentials_fetches_total', 'Client-credentials tokens fetched from the provider, by outcome.', ['outcome']);
  return {
    enabled: true,
    request: (route, status) => requests.inc({ route, status_class: statusClass(status) }),
    relayed: (route, seconds) => relay.observe({ route }, seconds),
    upstreamError: (route, kind) => upstreamErrors.inc({ route, kind }),
    refresh: (outcome) => refreshes.inc({ outcome }),
    signIn: (outcome) => signIns.inc({ outcome }),
    signOut: (outcome) => signOuts.inc({ outcome }),
    csrfRefused: () => csrf.inc(),
    backchannelLogout: (outcome) => backchannel.inc({ outcome }),
    clientCredentialsFetch: (outcome) => clientCredentials.inc({ outcome }),
    render: async () => ({ contentType: register.contentType, body: await register.metrics() }),
  };
}

const OWN_ROUTES: Readonly<Record<string, string>> = {
  '/auth/login': 'auth_login',
  '/auth/callback': 'auth_callback',
  '/auth/session': 'auth_session',
  '/auth/logout': 'auth_logout',
  '/auth/providers': 'auth_providers',
  '/auth/backchannel-logout': 'auth_backchannel_logout',
  '/auth/device': 'auth_device',
  '/auth/token': 'auth_token',
  '/healthz': 'healthz',
  '/readyz': 'readyz',
};

/** The route id of a request the relay does not handle: one of the BFF's own routes, `auth_other`, or `spa`. */
export function routeIdOf(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return OWN_ROUTES[path] ?? (path.startsWith('/auth/') ? 'auth_other' : 'spa');
}

/** Set on the response by the relay once a request matched a route of the table (its `path` is the id). */
const ROUTE_ID = Symbol('bff.routeId');
type Marked = ServerResponse & { [ROUTE_ID]?: string };

/** The relay names the route a request matched, for the request and latency metrics. */
export function markRoute(res: ServerResponse, routeId: string): void {
  (res as Marked)[ROUTE_ID] = routeId;
}

/**
 * Counts a request when its response is done (finished, or cut): by route id and status class,
 * and for relayed requests the relay latency. `api` is whether the relay handled it.
 */
export function countRequest(metrics: Metrics, req: IncomingMessage, res: ServerResponse, api: boolean): void {
  const start = performance.now();
  res.once('close', () => {
    const matched = (res as Marked)[ROUTE_ID];
    const id = matched ?? (api ? 'api_unmatched' : routeIdOf(req.url ?? '/'));
    metrics.request(id, res.statusCode);
    if (matched !== undefined) metrics.relayed(matched, (performance.now() - start) / 1000);
  });
}

/** The error counters: CSRF refusals and upstream failures by kind. */
export function countError(metrics: Metrics, res: ServerResponse, err: unknown): void {
  if (err instanceof CsrfRejected) metrics.csrfRefused();
  else if (err instanceof UpstreamPoolTimeout) metrics.upstreamError((res as Marked)[ROUTE_ID] ?? 'api_unmatched', 'pool_wait');
  else if (err instanceof UpstreamTimeout) metrics.upstreamError((res as Marked)[ROUTE_ID] ?? 'api_unmatched', 'timeout');
  else if (err instanceof UpstreamUnavailable) metrics.upstreamError((res as Marked)[ROUTE_ID] ?? 'api_unmatched', 'connect');
}

/** Whether a response set (not deleted) the cookie `name`: how a sign-in's success shows from outside. */
export function setsCookie(res: ServerResponse, name: string): boolean {
  const header = res.getHeader('set-cookie');
  const lines = Array.isArray(header) ? header : typeof header === 'string' ? [header] : [];
  return lines.some((line) => line.startsWith(`${name}=`) && !/;\s*max-age=0(;|$)/i.test(line));
}

type Handler<Q, S> = (req: Q, res: S) => unknown;

/**
 * Counts a route handler's outcome when its response finishes, without the handler knowing about
 * metrics: `judge` reads the finished response (status, cookies) and names the outcome.
 */
export function counted<Q, S extends ServerResponse>(handler: Handler<Q, S>, judge: (res: S) => void): Handler<Q, S> {
  return (req, res) => {
    res.once('finish', () => judge(res));
    return handler(req, res);
  };
}

/** A refresh-token grant that counts its outcome: `rejected` ends the session, `unavailable` keeps it. */
export function countedRefresh<A extends unknown[], R>(metrics: Metrics, grant: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) =>
    grant(...args).then(
      (result) => (metrics.refresh('success'), result),
      (err: unknown) => {
        metrics.refresh(err instanceof SessionExpired ? 'rejected' : 'unavailable');
        throw err;
      },
    );
}

/** A client-credentials grant that counts each fetch from the provider (cache hits never get here). */
export function countedClientCredentials<A extends unknown[], R>(metrics: Metrics, grant: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) =>
    grant(...args).then(
      (result) => (metrics.clientCredentialsFetch('success'), result),
      (err: unknown) => {
        metrics.clientCredentialsFetch('failure');
        throw err;
      },
    );
}
