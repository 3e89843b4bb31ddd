import * as z from 'zod';
import { fileSchemas } from './file-schema.ts';
import { cspSourceProblems, splitSources, type CspDirective } from '../http/csp-sources.ts';

/**
 * Every option of the BFF in one zod schema: defaults and cross-field rules live here and nowhere
 * else. The environment (env.ts) and the configuration file (file.ts) are layers that produce an
 * object of this shape; it is parsed once, so a required option is required by its type (no `!`
 * later) and a default is written once. Built on each call and dropped after the parse (see
 * file-schema.ts for why).
 */

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** Environment values arrive as strings; the file's as JSON numbers. Both coerce here. */
const wholeNumber = (what: string, def: number, min = 1) =>
  z.coerce.number({ error: `must be a whole number of ${what}` }).int(`must be a whole number of ${what}`).min(min, `must be at least ${min}`).default(def);

/** Extra sources for one CSP directive, validated (see bff/http/csp-sources.ts). */
const cspSources = (directive: CspDirective) =>
  z
    .string()
    .superRefine((value, ctx) => {
      for (const message of cspSourceProblems(value, directive)) ctx.addIssue({ code: 'custom', message });
    })
    .transform(splitSources)
    .default([]);


export function optionsSchema() {
  const { apisSchema, httpUrl, providersSchema } = fileSchemas();
  return z
    .strictObject({
      server: z
        .strictObject({
          port: z.coerce.number({ error: 'must be a port number (0–65535)' }).int('must be a port number (0–65535)').min(0).max(65535).default(3000),
          host: z.string().min(1).default('127.0.0.1'),
          /** The origin users see; default `http://localhost:<port>`. */
          publicUrl: httpUrl
            .refine((u) => !URL.canParse(u) || (['/', ''].includes(new URL(u).pathname) && !new URL(u).search && !new URL(u).hash), 'must be an origin only, like https://app.example.com')
            .optional(),
          /** Folder of the SPA build to serve; `none` serves no SPA (API only). Default: this project's built SPA. */
          staticDir: z.string().min(1).optional(),
        })
        .prefault({}),
      providers: providersSchema.refine((p) => Object.keys(p).length > 0, 'at least one provider is required'),
      postLogoutRedirectUri: httpUrl.optional(),
      apis: apisSchema.default([]),
      /** RFC 8628 device flow routes for command-line tools (`/auth/device`, `/auth/token`). */
      deviceFlow: z.boolean({ error: 'must be true or false' }).default(false),
      session: z
        .strictObject({
          /** The first seals, all unseal (key rotation). */
          secrets: z
            .array(z.string().min(32, 'every comma-separated secret must be at least 32 characters'), {
              error: 'is required: at least 32 characters (a comma-separated list rotates keys)',
            })
            .min(1, 'is required: at least 32 characters (a comma-separated list rotates keys)'),
          absoluteTimeoutS: wholeNumber('seconds', 12 * 3600),
          idleTimeoutS: wholeNumber('seconds', 3600),
          refreshSkewS: wholeNumber('seconds', 60, 0),
          /** How long a superseded refresh token maps to its successor (requests already in flight). */
          refreshGraceS: wholeNumber('seconds', 60),
          /** Unsealed sessions kept in memory (each saves ~1 ms of crypto per request). */
          cacheEntries: wholeNumber('sessions', 100_000),
          /** The same cache's bound in bytes (sealed value + unsealed session): large sessions count for what they hold. */
          cacheMb: wholeNumber('megabytes', 256),
        })
        .refine((s) => s.idleTimeoutS <= s.absoluteTimeoutS, { path: ['idleTimeoutS'], message: 'must not exceed SESSION_ABSOLUTE_TIMEOUT_S' }),
      limits: z
        .strictObject({
          upstreamTimeoutMs: wholeNumber('milliseconds', 30_000),
          maxInFlightPerSession: wholeNumber('requests', 64),
          /** Relayed requests one user (`iss` + `sub`, any number of sessions) may have in flight. */
          maxInFlightPerUser: wholeNumber('requests', 64),
          /** Connections to each upstream, at most. */
          upstreamMaxSockets: wholeNumber('connections', 256, 2),
          /** A request or response body that moves no byte for this long is cut. */
          bodyIdleTimeoutMs: wholeNumber('milliseconds', 30_000),
          /** An upload not finished after this long is cut. */
          uploadDeadlineMs: wholeNumber('milliseconds', 600_000),
          /** `/auth/login` calls one client address may make per minute (token bucket). */
          loginPerMinute: wholeNumber('sign-ins per minute', 30),
          /** Any single call to a provider (discovery, token, revocation) may take this long. */
          providerTimeoutMs: wholeNumber('milliseconds', 10_000, 1000),
        })
        .refine((l) => l.maxInFlightPerUser < l.upstreamMaxSockets, {
          path: ['maxInFlightPerUser'],
          message: 'must be below API_UPSTREAM_MAX_SOCKETS, so that one user always leaves sockets to the others',
        })
        .prefault({}),
      /** Prometheus metrics, on their own listener (never the public port). */
      metrics: z
        .strictObject({
          port: z.coerce.number({ error: 'must be a port number (1–65535)' }).int('must be a port number (1–65535)').min(1).max(65535).optional(),
          host: z.string().min(1).default('127.0.0.1'),
        })
        .prefault({}),
      /** What the BFF remembers beyond the cookie (ended sessions, refresh locks…): in memory, or on Redis. */
      store: z
        .strictObject({
          /** `redis://` or `rediss://`; unset: this process's memory (several instances then need sticky sessions). */
          redisUrl: z
            .string()
            .refine((u) => URL.canParse(u) && ['redis:', 'rediss:'].includes(new URL(u).protocol), 'must be a redis:// or rediss:// URL')
            .optional(),
          /** Every key the BFF writes starts with this, so several apps can share one Redis. */
          keyPrefix: z.string().min(1).max(64).default('bff:'),
          /** The in-memory store's bound, in megabytes (least recently used entries go first). */
          memoryMb: wholeNumber('megabytes', 64),
        })
        .prefault({}),
      log: z
        .strictObject({
          level: z.enum(LOG_LEVELS).default('info'),
          /** Forced log format; unset: pretty on a terminal, JSON otherwise. */
          format: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional(),
        })
        .prefault({}),
      /** Extra CSP sources per directive, added after the built-in ones. */
      csp: z
        .strictObject({
          imgSrc: cspSources('img-src'),
          connectSrc: cspSources('connect-src'),
          styleSrc: cspSources('style-src'),
          fontSrc: cspSources('font-src'),
        })
        .prefault({}),
    });
}

export type BffOptions = z.infer<ReturnType<typeof optionsSchema>>;
export type LogLevel = (typeof LOG_LEVELS)[number];
