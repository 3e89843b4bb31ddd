import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { z } from 'zod';

/** Loopback hosts are the only place a plain-http issuer is acceptable (development). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const seconds = (def: number) => z.coerce.number({ error: 'must be a number of seconds' }).int().positive().default(def);

/** One schema over the environment (field by field); rules across fields are in crossFieldProblems. */
const envSchema = z
  .object({
    PORT: z.coerce.number({ error: 'must be a port number (0–65535)' }).int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    BFF_PUBLIC_URL: httpUrl.optional(),
    OIDC_ISSUER: httpUrl.optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_CLIENT_AUTH: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
    OIDC_SCOPES: z.string().default('openid profile email offline_access'),
    OIDC_PROMPT: z.string().optional(),
    OIDC_POST_LOGOUT_REDIRECT_URI: httpUrl.optional(),
    SESSION_SECRET: z.string().optional(),
    SESSION_ABSOLUTE_TIMEOUT_S: seconds(12 * 3600),
    SESSION_IDLE_TIMEOUT_S: seconds(3600),
    TOKEN_REFRESH_SKEW_S: z.coerce.number().int().min(0).default(60),
    API_UPSTREAM_URL: httpUrl.optional(),
    API_UPSTREAM_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().positive().default(30_000),
    API_MAX_IN_FLIGHT_PER_SESSION: z.coerce.number().int().positive().default(64),
    // Relay limits against one account starving the rest (README, "Limits").
    API_MAX_IN_FLIGHT_PER_USER: z.coerce.number().int().positive().default(64),
    API_UPSTREAM_MAX_SOCKETS: z.coerce.number().int().min(2).default(256),
    API_BODY_IDLE_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().positive().default(30_000),
    API_UPLOAD_DEADLINE_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().positive().default(600_000),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  });

/** Rules across variables, checked on the raw strings so they are reported even when a field is malformed. */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const url = (v: string | undefined) => (v && URL.canParse(v) ? new URL(v) : undefined);
  const issuer = url(env.OIDC_ISSUER);
  if (!env.OIDC_ISSUER) problems.push('OIDC_ISSUER: is required (run `npm start` without it for the embedded demo provider)');
  else if (issuer?.protocol === 'http:' && !isLoopbackHost(issuer.hostname))
    problems.push('OIDC_ISSUER: must be https unless it is on loopback (localhost, 127.0.0.1, ::1)');
  if (!env.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: is required');
  if (!env.OIDC_CLIENT_SECRET) problems.push('OIDC_CLIENT_SECRET: is required');
  const secrets = splitSecrets(env.SESSION_SECRET);
  if (secrets.length === 0) problems.push('SESSION_SECRET: is required: at least 32 characters (a comma-separated list rotates keys)');
  else if (secrets.some((s) => s.length < 32)) problems.push('SESSION_SECRET: every comma-separated secret must be at least 32 characters');
  if (env.OIDC_SCOPES !== undefined && !env.OIDC_SCOPES.split(/\s+/).includes('openid')) problems.push('OIDC_SCOPES: must include openid');
  const pub = url(env.BFF_PUBLIC_URL);
  if (pub && (pub.pathname !== '/' || pub.search || pub.hash)) problems.push('BFF_PUBLIC_URL: must be an origin only, like https://app.example.com');
  const idle = Number(env.SESSION_IDLE_TIMEOUT_S ?? 3600);
  const absolute = Number(env.SESSION_ABSOLUTE_TIMEOUT_S ?? 43_200);
  if (idle > absolute) problems.push('SESSION_IDLE_TIMEOUT_S: must not exceed SESSION_ABSOLUTE_TIMEOUT_S');
  if (Number(env.API_MAX_IN_FLIGHT_PER_USER ?? 64) >= Number(env.API_UPSTREAM_MAX_SOCKETS ?? 256))
    problems.push('API_MAX_IN_FLIGHT_PER_USER: must be below API_UPSTREAM_MAX_SOCKETS, so that one user always leaves sockets to the others');
  return problems;
}

function splitSecrets(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** The origin users see, e.g. `https://app.example.com` (no trailing slash). */
  readonly publicOrigin: string;
  readonly secureCookies: boolean;
  readonly redirectUri: string;
  readonly oidc: {
    readonly issuer: URL;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly clientAuth: 'client_secret_basic' | 'client_secret_post';
    readonly scopes: string;
    /** `prompt` sent with the authorization request; undefined sends none. */
    readonly prompt: string | undefined;
    readonly postLogoutRedirectUri: string;
  };
  readonly session: {
    /** First seals, all unseal. */
    readonly secrets: readonly string[];
    readonly absoluteTimeoutS: number;
    readonly idleTimeoutS: number;
    readonly refreshSkewS: number;
  };
  readonly api: {
    readonly upstreamUrl: URL | undefined;
    readonly timeoutMs: number;
    readonly maxInFlightPerSession: number;
    /** Relayed requests one user (`iss` + `sub`, any number of sessions) may have in flight. */
    readonly maxInFlightPerUser: number;
    /** Size of the upstream connection pool. */
    readonly upstreamMaxSockets: number;
    /** A request or response body that moves no byte for this long is cut. */
    readonly bodyIdleTimeoutMs: number;
    /** An upload not finished after this long is cut. */
    readonly uploadDeadlineMs: number;
  };
  readonly logLevel: (typeof LOG_LEVELS)[number];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once into a frozen Config, or throws one ConfigError naming every bad variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // Empty strings (as in `FOO=` lines of a .env file) mean "not set".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0] ?? 'environment')}: ${i.message}`)),
    ...crossFieldProblems(cleaned),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const publicOrigin = (e.BFF_PUBLIC_URL ? new URL(e.BFF_PUBLIC_URL).origin : `http://localhost:${e.PORT}`);
  const scopes = e.OIDC_SCOPES.split(/\s+/).filter(Boolean).join(' ');
  // OIDC Core §11: a request for offline_access must carry prompt=consent, and spec-strict
  // providers (oidc-provider) issue no refresh token without it. OIDC_PROMPT=none-sent opts out.
  const prompt = e.OIDC_PROMPT === 'none-sent' ? undefined : (e.OIDC_PROMPT ?? (scopes.split(' ').includes('offline_access') ? 'consent' : undefined));
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    publicOrigin,
    secureCookies: publicOrigin.startsWith('https:'),
    redirectUri: `${publicOrigin}/auth/callback`,
    oidc: {
      issuer: new URL(e.OIDC_ISSUER!),
      clientId: e.OIDC_CLIENT_ID!,
      clientSecret: e.OIDC_CLIENT_SECRET!,
      clientAuth: e.OIDC_CLIENT_AUTH,
      scopes,
      prompt,
      postLogoutRedirectUri: e.OIDC_POST_LOGOUT_REDIRECT_URI ?? `${publicOrigin}/`,
    },
    session: {
      secrets: splitSecrets(e.SESSION_SECRET),
      absoluteTimeoutS: e.SESSION_ABSOLUTE_TIMEOUT_S,
      idleTimeoutS: e.SESSION_IDLE_TIMEOUT_S,
      refreshSkewS: e.TOKEN_REFRESH_SKEW_S,
    },
    api: {
      upstreamUrl: e.API_UPSTREAM_URL ? new URL(e.API_UPSTREAM_URL) : undefined,
      timeoutMs: e.API_UPSTREAM_TIMEOUT_MS,
      maxInFlightPerSession: e.API_MAX_IN_FLIGHT_PER_SESSION,
      maxInFlightPerUser: e.API_MAX_IN_FLIGHT_PER_USER,
      upstreamMaxSockets: e.API_UPSTREAM_MAX_SOCKETS,
      bodyIdleTimeoutMs: e.API_BODY_IDLE_TIMEOUT_MS,
      uploadDeadlineMs: e.API_UPLOAD_DEADLINE_MS,
    },
    logLevel: e.LOG_LEVEL,
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

/** The process environment with `.env` (when present) underneath it: real variables win. */
export function readEnvironment(cwd = process.cwd()): Record<string, string | undefined> {
  const file = `${cwd}/.env`;
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...process.env };
}
