/**
 * The environment as a layer of options: each variable names the option it sets (its path in
 * BffOptions). The same table turns a problem at an option's path back into the variable's name,
 * so the user reads `SESSION_IDLE_TIMEOUT_S: …`, not `session.idleTimeoutS: …`.
 * `OIDC_*` define the provider named `default`; `API_UPSTREAM_URL` defines the route `/api`.
 */

type Path = readonly (string | number)[];

interface EnvOption {
  readonly name: string;
  readonly path: Path;
  readonly read?: (value: string) => unknown;
  /** For docs/configuration.md: what it means, and the default when the schema's is derived or absent. */
  readonly doc: string;
  readonly defaultText?: string;
}

const splitList = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

/** The route the env shorthand `API_UPSTREAM_URL` defines (its index is set where it is appended). */
export const ENV_ROUTE_PATH = '/api';
const ENV_ROUTE = '@env-route';

export const ENV_OPTIONS: readonly EnvOption[] = [
  { name: 'PORT', path: ['server', 'port'], doc: 'port the BFF listens on' },
  { name: 'HOST', path: ['server', 'host'], doc: 'interface the BFF binds; `0.0.0.0` listens on every interface' },
  { name: 'BFF_STATIC_DIR', path: ['server', 'staticDir'], doc: 'folder of the SPA build to serve (any SPA: its `index.html` answers unknown paths); `none` serves no SPA (API only)', defaultText: 'this project\'s built SPA (`dist/spa`)' },
  { name: 'BFF_PUBLIC_URL', path: ['server', 'publicUrl'], doc: 'the origin users see (no path); the redirect URI is this + `/auth/callback`', defaultText: '`http://localhost:$PORT`' },
  { name: 'OIDC_ISSUER', path: ['providers', 'default', 'issuer'], doc: 'issuer of the provider `default`; https except on loopback', defaultText: 'unset: embedded default' },
  { name: 'OIDC_CLIENT_ID', path: ['providers', 'default', 'clientId'], doc: "the BFF's confidential client", defaultText: 'required with `OIDC_ISSUER`' },
  { name: 'OIDC_CLIENT_SECRET', path: ['providers', 'default', 'clientSecret'], doc: 'its secret', defaultText: 'required with `OIDC_ISSUER`' },
  { name: 'OIDC_CLIENT_AUTH', path: ['providers', 'default', 'clientAuth'], doc: '`client_secret_basic` or `client_secret_post`' },
  { name: 'OIDC_SCOPES', path: ['providers', 'default', 'scopes'], read: (v) => v.split(/\s+/).filter(Boolean).join(' '), doc: 'requested scopes (must include `openid`)' },
  { name: 'OIDC_PROMPT', path: ['providers', 'default', 'prompt'], doc: '`prompt` sent at sign-in; `none-sent` sends none', defaultText: '`consent` when `offline_access` is requested' },
  { name: 'OIDC_BEARER_AUDIENCE', path: ['providers', 'default', 'bearerAudience'], doc: 'the audience a bearer token (routes with `"bearer": true`) must name', defaultText: '`OIDC_CLIENT_ID`' },
  { name: 'OIDC_USERINFO', path: ['providers', 'default', 'userinfo'], doc: 'when to call UserInfo at sign-in: `auto` (when the ID token lacks the claims of requested `profile`/`email` scopes), `always` or `never`' },
  { name: 'OIDC_POST_LOGOUT_REDIRECT_URI', path: ['postLogoutRedirectUri'], doc: 'where the provider returns after logout', defaultText: '`BFF_PUBLIC_URL/`' },
  { name: 'SESSION_SECRET', path: ['session', 'secrets'], read: splitList, doc: 'at least 32 characters; a comma-separated list rotates keys (the first seals, all unseal)', defaultText: 'required; generated for the embedded default' },
  { name: 'SESSION_ABSOLUTE_TIMEOUT_S', path: ['session', 'absoluteTimeoutS'], doc: 'a session ends this long after sign-in, whatever happens' },
  { name: 'SESSION_IDLE_TIMEOUT_S', path: ['session', 'idleTimeoutS'], doc: 'a session ends after this long without a request (at most the absolute timeout)' },
  { name: 'TOKEN_REFRESH_SKEW_S', path: ['session', 'refreshSkewS'], doc: 'refresh the access token when it expires within this many seconds' },
  { name: 'TOKEN_REFRESH_GRACE_S', path: ['session', 'refreshGraceS'], doc: 'how long a request still carrying the cookie from before a refresh-token rotation gets the successor\'s tokens' },
  { name: 'SESSION_CACHE_ENTRIES', path: ['session', 'cacheEntries'], doc: 'unsealed sessions kept in memory (each saves ~1 ms of crypto per request), at most' },
  { name: 'SESSION_CACHE_MB', path: ['session', 'cacheMb'], doc: 'the same cache bounded by memory: a session counts for its sealed cookie and its unsealed tokens and claims (a 1 KB session ~2 KB, a 15 KB one ~30 KB); least recently used go first' },
  { name: 'API_UPSTREAM_URL', path: ['apis', ENV_ROUTE, 'upstream'], doc: 'shorthand for the route `{ "path": "/api", "upstream": …, "token": "user" }`', defaultText: 'the demo API in the embedded default' },
  { name: 'API_UPSTREAM_TIMEOUT_MS', path: ['limits', 'upstreamTimeoutMs'], doc: "how long the relay waits for an upstream's response headers (a route's `timeoutMs` overrides it)" },
  { name: 'API_MAX_IN_FLIGHT_PER_SESSION', path: ['limits', 'maxInFlightPerSession'], doc: 'relayed requests one session may have in flight (more get 429)' },
  { name: 'API_MAX_IN_FLIGHT_PER_USER', path: ['limits', 'maxInFlightPerUser'], doc: 'relayed requests one user (`iss` + `sub`, all their sessions) may have in flight (more get 429); below `API_UPSTREAM_MAX_SOCKETS`' },
  { name: 'API_UPSTREAM_MAX_SOCKETS', path: ['limits', 'upstreamMaxSockets'], doc: 'connections the relay opens to each upstream at most (more requests wait for one)' },
  { name: 'API_BODY_IDLE_TIMEOUT_MS', path: ['limits', 'bodyIdleTimeoutMs'], doc: 'a request or response body that moves no byte for this long is cut' },
  { name: 'API_UPLOAD_DEADLINE_MS', path: ['limits', 'uploadDeadlineMs'], doc: 'an upload still unfinished after this long is cut, however steadily it trickles' },
  { name: 'LOGIN_RATE_LIMIT_PER_MIN', path: ['limits', 'loginPerMinute'], doc: '`/auth/login` calls one client address may make per minute (more get 429 with `Retry-After`); the device flow routes have a bucket of the same size' },
  { name: 'DEVICE_FLOW', path: ['deviceFlow'], read: (v) => (v === 'true' ? true : v === 'false' ? false : v), doc: '`true` serves `POST /auth/device` and `POST /auth/token` (RFC 8628 device flow for command-line tools)', defaultText: '`false`' },
  { name: 'PROVIDER_TIMEOUT_MS', path: ['limits', 'providerTimeoutMs'], doc: 'how long any single call to a provider may take before it counts as unavailable (at least 1000)' },
  { name: 'METRICS_PORT', path: ['metrics', 'port'], doc: 'serves `GET /metrics` (Prometheus text format) on this port, never on the public one', defaultText: 'unset: no metrics' },
  { name: 'METRICS_HOST', path: ['metrics', 'host'], doc: 'interface of the metrics listener' },
  { name: 'REDIS_URL', path: ['store', 'redisUrl'], doc: '`redis://` or `rediss://` URL of the Redis 6+ (or Valkey) that several BFF instances share (ended sessions, refresh lock, client-credentials tokens); a password goes in the URL', defaultText: 'unset: in memory, one process' },
  { name: 'REDIS_KEY_PREFIX', path: ['store', 'keyPrefix'], doc: 'prefix of every key the BFF writes to Redis (several apps can share one)' },
  { name: 'STATE_MEMORY_MB', path: ['store', 'memoryMb'], doc: 'bound of the in-memory store (without `REDIS_URL`), in megabytes; least recently used entries go first' },
  { name: 'LOG_LEVEL', path: ['log', 'level'], doc: '`debug`, `info`, `warn`, `error` or `silent`' },
  { name: 'LOG_FORMAT', path: ['log', 'format'], doc: '`json` or `pretty`', defaultText: 'pretty on a terminal, JSON otherwise' },
  { name: 'CSP_IMG_SRC', path: ['csp', 'imgSrc'], doc: "extra `img-src` sources, space-separated (`https://avatars.example.com`); no `*` alone", defaultText: 'none' },
  { name: 'CSP_CONNECT_SRC', path: ['csp', 'connectSrc'], doc: 'extra `connect-src` sources (an error-reporting endpoint)', defaultText: 'none' },
  { name: 'CSP_STYLE_SRC', path: ['csp', 'styleSrc'], doc: "extra `style-src` sources (`'unsafe-inline'` or a hash for CSS-in-JS)", defaultText: 'none' },
  { name: 'CSP_FONT_SRC', path: ['csp', 'fontSrc'], doc: 'extra `font-src` sources', defaultText: 'none' },
];

export interface EnvLayer {
  /** Options set by the environment, not yet validated (values are the raw strings, or lists). */
  readonly options: {
    server: Record<string, unknown>;
    providers: Record<string, Record<string, unknown>>;
    postLogoutRedirectUri?: unknown;
    deviceFlow?: unknown;
    apis: Record<string, unknown>[];
    session: Record<string, unknown>;
    limits: Record<string, unknown>;
    store: Record<string, unknown>;
    log: Record<string, unknown>;
    csp: Record<string, unknown>;
  };
  /** Whether the environment defines the provider `default` (any `OIDC_*` set). */
  readonly definesDefaultProvider: boolean;
  /** Whether the environment defines the route `/api` (`API_UPSTREAM_URL` set). */
  readonly definesRoute: boolean;
}

function setAt(target: Record<string, unknown>, path: Path, value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
}

/**
 * Empty strings (as in `FOO=` lines of a .env file) mean "not set". `OIDC_ISSUER` defines the
 * provider `default`; without it, the other `OIDC_*` define it only when the file names no
 * provider (then a missing issuer is reported), since a file may use them as `${OIDC_CLIENT_SECRET}`.
 */
export function envLayer(env: Readonly<Record<string, string | undefined>>, fileHasProviders: boolean): EnvLayer {
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  const tree: Record<string, unknown> = { server: {}, providers: {}, session: {}, limits: {}, store: {}, log: {}, csp: {} };
  const providerVars = ENV_OPTIONS.filter((o) => o.path[0] === 'providers');
  const definesDefaultProvider = set('OIDC_ISSUER') || (!fileHasProviders && providerVars.some((o) => set(o.name)));
  // The provider exists as soon as one OIDC_* is set, so a missing OIDC_CLIENT_ID is reported by name.
  if (definesDefaultProvider) setAt(tree, ['providers', 'default'], {});
  const route: Record<string, unknown> = { path: ENV_ROUTE_PATH, token: 'user' };
  for (const option of ENV_OPTIONS) {
    if (!set(option.name) || (option.path[0] === 'providers' && !definesDefaultProvider)) continue;
    const raw = env[option.name]!;
    const value = option.read ? option.read(raw) : raw;
    if (option.path[1] === ENV_ROUTE) route[option.path[2] as string] = value;
    else setAt(tree, option.path, value);
  }
  const definesRoute = set('API_UPSTREAM_URL');
  return { options: { ...(tree as unknown as EnvLayer['options']), apis: definesRoute ? [route] : [] }, definesDefaultProvider, definesRoute };
}

/**
 * The variable behind a problem at `path` of the merged options, when the environment set that
 * part; `envRouteIndex` is where the `/api` route of `API_UPSTREAM_URL` sits in `apis`.
 */
export function envNameAt(path: Path, layer: EnvLayer, envRouteIndex: number): string | undefined {
  if (path[0] === 'providers' && path[1] === 'default' && !layer.definesDefaultProvider) return undefined;
  if (path[0] === 'apis') {
    if (!layer.definesRoute || path[1] !== envRouteIndex) return undefined;
    return 'API_UPSTREAM_URL';
  }
  if (path[0] === 'providers' && path.length === 1) return 'OIDC_ISSUER';
  const hit = ENV_OPTIONS.find((o) => o.path.length <= path.length && o.path.every((k, i) => k === path[i]));
  return hit?.name;
}
