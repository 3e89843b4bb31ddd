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
}

const splitList = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

/** The route the env shorthand `API_UPSTREAM_URL` defines (its index is set where it is appended). */
export const ENV_ROUTE_PATH = '/api';
const ENV_ROUTE = '@env-route';

export const ENV_OPTIONS: readonly EnvOption[] = [
  { name: 'PORT', path: ['server', 'port'] },
  { name: 'HOST', path: ['server', 'host'] },
  { name: 'BFF_PUBLIC_URL', path: ['server', 'publicUrl'] },
  { name: 'OIDC_ISSUER', path: ['providers', 'default', 'issuer'] },
  { name: 'OIDC_CLIENT_ID', path: ['providers', 'default', 'clientId'] },
  { name: 'OIDC_CLIENT_SECRET', path: ['providers', 'default', 'clientSecret'] },
  { name: 'OIDC_CLIENT_AUTH', path: ['providers', 'default', 'clientAuth'] },
  { name: 'OIDC_SCOPES', path: ['providers', 'default', 'scopes'], read: (v) => v.split(/\s+/).filter(Boolean).join(' ') },
  { name: 'OIDC_PROMPT', path: ['providers', 'default', 'prompt'] },
  { name: 'OIDC_POST_LOGOUT_REDIRECT_URI', path: ['postLogoutRedirectUri'] },
  { name: 'SESSION_SECRET', path: ['session', 'secrets'], read: splitList },
  { name: 'SESSION_ABSOLUTE_TIMEOUT_S', path: ['session', 'absoluteTimeoutS'] },
  { name: 'SESSION_IDLE_TIMEOUT_S', path: ['session', 'idleTimeoutS'] },
  { name: 'TOKEN_REFRESH_SKEW_S', path: ['session', 'refreshSkewS'] },
  { name: 'API_UPSTREAM_URL', path: ['apis', ENV_ROUTE, 'upstream'] },
  { name: 'API_UPSTREAM_TIMEOUT_MS', path: ['limits', 'upstreamTimeoutMs'] },
  { name: 'API_MAX_IN_FLIGHT_PER_SESSION', path: ['limits', 'maxInFlightPerSession'] },
  { name: 'LOG_LEVEL', path: ['log', 'level'] },
];

export interface EnvLayer {
  /** Options set by the environment, not yet validated (values are the raw strings, or lists). */
  readonly options: {
    server: Record<string, unknown>;
    providers: Record<string, Record<string, unknown>>;
    postLogoutRedirectUri?: unknown;
    apis: Record<string, unknown>[];
    session: Record<string, unknown>;
    limits: Record<string, unknown>;
    log: Record<string, unknown>;
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

/** Empty strings (as in `FOO=` lines of a .env file) mean "not set". */
export function envLayer(env: Readonly<Record<string, string | undefined>>): EnvLayer {
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  const tree: Record<string, unknown> = { server: {}, providers: {}, session: {}, limits: {}, log: {} };
  const definesDefaultProvider = ENV_OPTIONS.some((o) => o.path[1] === 'default' && set(o.name));
  // The provider exists as soon as one OIDC_* is set, so a missing OIDC_CLIENT_ID is reported by name.
  if (definesDefaultProvider) setAt(tree, ['providers', 'default'], {});
  const route: Record<string, unknown> = { path: ENV_ROUTE_PATH, token: 'user' };
  for (const option of ENV_OPTIONS) {
    if (!set(option.name)) continue;
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
