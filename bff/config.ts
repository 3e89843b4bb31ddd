import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { loadOptions } from './options/load.ts';
import type { ApiRouteOptions, FileInput, ProviderOptions } from './options/file-schema.ts';
import type { LogLevel } from './options/schema.ts';

import { ConfigError } from './options/config-error.ts';

export { ConfigError };
export { isLoopbackHost } from './options/loopback.ts';

/** One provider, ready to use: its `prompt` resolved (OIDC Core §11, see below). */
export interface ProviderConfig {
  readonly name: string;
  readonly issuer: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientAuth: ProviderOptions['clientAuth'];
  readonly scopes: string;
  /** `prompt` sent with the authorization request; undefined sends none. */
  readonly prompt: string | undefined;
  readonly label: string;
  readonly postLogoutRedirectUri: string;
  /** The audience a bearer token must name (RFC 9068 §4); default the client id. */
  readonly bearerAudience: string;
  /** When sign-in calls UserInfo (OIDC Core §5.3). */
  readonly userinfo: ProviderOptions['userinfo'];
}

/** One entry of the routes table, with its timeout resolved. */
export type RouteConfig = Readonly<Omit<ApiRouteOptions, 'upstream' | 'timeoutMs'> & { upstream: URL; timeoutMs: number }>;

/** What the BFF runs on: the parsed options plus what follows from them. Frozen. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** The origin users see, e.g. `https://app.example.com` (no trailing slash). */
  readonly publicOrigin: string;
  /** Folder of the SPA build; `undefined`: this project's own build; `null`: none (API only). */
  readonly staticDir: string | null | undefined;
  readonly secureCookies: boolean;
  readonly redirectUri: string;
  /** Every configured provider by name. */
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /** The provider named `default`, or the only one. */
  readonly oidc: ProviderConfig;
  readonly routes: readonly RouteConfig[];
  /** Serve the RFC 8628 device flow routes (`/auth/device`, `/auth/token`). */
  readonly deviceFlow: boolean;
  readonly session: {
    /** First seals, all unseal. */
    readonly secrets: readonly string[];
    readonly absoluteTimeoutS: number;
    readonly idleTimeoutS: number;
    readonly refreshSkewS: number;
    /** `/auth/login` calls one client address may make per minute (token bucket). */
    readonly loginRatePerMin: number;
    /** How long a superseded refresh token maps to its successor's result. */
    readonly refreshGraceS: number;
    /** Unsealed sessions kept in memory. */
    readonly cacheEntries: number;
    /** The same cache's bound in bytes. */
    readonly cacheBytes: number;
  };
  /** Any single call to a provider may take this long. */
  readonly providerTimeoutMs: number;
  readonly api: {
    /** The upstream of the route `/api` (`API_UPSTREAM_URL`), if any. */
    readonly upstreamUrl: URL | undefined;
    readonly timeoutMs: number;
    readonly maxInFlightPerSession: number;
    /** Relayed requests one user (`iss` + `sub`, any number of sessions) may have in flight. */
    readonly maxInFlightPerUser: number;
    /** Size of each upstream's connection pool. */
    readonly upstreamMaxSockets: number;
    /** A request or response body that moves no byte for this long is cut. */
    readonly bodyIdleTimeoutMs: number;
    /** An upload not finished after this long is cut. */
    readonly uploadDeadlineMs: number;
  };
  /** `METRICS_PORT` / `METRICS_HOST`; `port` undefined: no metrics. */
  readonly metrics: { readonly port: number | undefined; readonly host: string };
  /** Where state beyond the cookie lives (ended sessions, refresh lock, used logins…). */
  readonly store: {
    /** Several instances share this Redis; undefined: this process's memory. */
    readonly redisUrl: URL | undefined;
    readonly keyPrefix: string;
    /** The in-memory store's bound. */
    readonly memoryBytes: number;
  };
  readonly logLevel: LogLevel;
  /** Forced log format; undefined means pretty on a terminal, JSON otherwise. */
  readonly logFormat: 'json' | 'pretty' | undefined;
  /** Extra CSP sources per directive, added after the built-in ones. */
  readonly csp: { readonly imgSrc: readonly string[]; readonly connectSrc: readonly string[]; readonly styleSrc: readonly string[]; readonly fontSrc: readonly string[] };
}

/**
 * Parses the environment (and the configuration file, see loadOptions) once into a frozen Config,
 * or throws one ConfigError naming every bad variable or field. `file` hands over a configuration
 * file's content in code instead of reading one (the embedded demo does).
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, options: { cwd?: string; file?: FileInput } = {}): Config {
  const o = loadOptions(env, options.cwd, options.file);
  const publicOrigin = o.server.publicUrl ? new URL(o.server.publicUrl).origin : `http://localhost:${o.server.port}`;
  const postLogoutRedirectUri = o.postLogoutRedirectUri ?? `${publicOrigin}/`;
  const providers = Object.fromEntries(
    Object.entries(o.providers).map(([name, p]) => {
      const scopes = p.scopes.split(/\s+/).filter(Boolean).join(' ');
      // OIDC Core §11: a request for offline_access must carry prompt=consent, and spec-strict
      // providers (oidc-provider) issue no refresh token without it. `none-sent` opts out.
      const prompt = p.prompt === 'none-sent' ? undefined : (p.prompt ?? (scopes.split(' ').includes('offline_access') ? 'consent' : undefined));
      const provider: ProviderConfig = {
        name,
        issuer: new URL(p.issuer),
        clientId: p.clientId,
        clientSecret: p.clientSecret,
        clientAuth: p.clientAuth,
        scopes,
        prompt,
        label: p.label ?? name,
        postLogoutRedirectUri,
        bearerAudience: p.bearerAudience ?? p.clientId,
        userinfo: p.userinfo,
      };
      return [name, provider];
    }),
  );
  const routes = o.apis.map((r): RouteConfig => ({ ...r, upstream: new URL(r.upstream), timeoutMs: r.timeoutMs ?? o.limits.upstreamTimeoutMs }));
  const config: Config = {
    port: o.server.port,
    host: o.server.host,
    publicOrigin,
    staticDir: staticDirOf(o.server.staticDir, options.cwd ?? process.cwd()),
    secureCookies: publicOrigin.startsWith('https:'),
    redirectUri: `${publicOrigin}/auth/callback`,
    providers,
    oidc: providers.default ?? Object.values(providers)[0]!,
    routes,
    deviceFlow: o.deviceFlow,
    session: { ...o.session, cacheBytes: o.session.cacheMb * 1024 * 1024, loginRatePerMin: o.limits.loginPerMinute },
    api: {
      upstreamUrl: routes.find((r) => r.path === '/api')?.upstream,
      timeoutMs: o.limits.upstreamTimeoutMs,
      maxInFlightPerSession: o.limits.maxInFlightPerSession,
      maxInFlightPerUser: o.limits.maxInFlightPerUser,
      upstreamMaxSockets: o.limits.upstreamMaxSockets,
      bodyIdleTimeoutMs: o.limits.bodyIdleTimeoutMs,
      uploadDeadlineMs: o.limits.uploadDeadlineMs,
    },
    providerTimeoutMs: o.limits.providerTimeoutMs,
    metrics: { port: o.metrics.port, host: o.metrics.host },
    store: { redisUrl: o.store.redisUrl === undefined ? undefined : new URL(o.store.redisUrl), keyPrefix: o.store.keyPrefix, memoryBytes: o.store.memoryMb * 1024 * 1024 },
    logLevel: o.log.level,
    logFormat: o.log.format,
    csp: o.csp,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof URL)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** `BFF_STATIC_DIR` resolved against the working directory; a folder without `index.html` is refused now, not at the first page view. */
function staticDirOf(dir: string | undefined, cwd: string): string | null | undefined {
  if (dir === undefined) return undefined;
  if (dir === 'none') return null;
  const absolute = resolve(cwd, dir);
  if (!existsSync(join(absolute, 'index.html'))) throw new ConfigError([`BFF_STATIC_DIR: ${absolute} has no index.html (build the SPA there, or set BFF_STATIC_DIR=none to serve no SPA)`]);
  return absolute;
}

/** The process environment with `.env` (when present) underneath it: real variables win. */
export function readEnvironment(cwd = process.cwd()): Record<string, string | undefined> {
  const file = `${cwd}/.env`;
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}
