import * as z from 'zod';
import { ROUTE_PATH, routeKey } from '../routes/match.ts';
import { isLoopbackHost } from './loopback.ts';

/**
 * The configuration file (`BFF_CONFIG`, else `./bff.config.json`): one zod schema that the code
 * parses with and that `docs/bff.config.schema.json` is generated from, so editors autocomplete
 * exactly what start-up accepts. Defaults live here and nowhere else.
 *
 * The schemas are built by functions, not held in module constants: they are used at start-up (and
 * when a host app declares a route's requirements), and zod schemas are big objects (~2 MiB for the
 * options) that a running server would otherwise carry for nothing.
 * @see CONTRACT.md, second part, "The configuration file" and "The routes table (`apis`)"
 */

/** Headers the relay owns or that would break the hop: a route may not set them. */
const RESERVED_HEADERS = new Set([
  'authorization', 'cookie', 'host', 'connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'content-length', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-csrf',
]);
export const PROVIDER_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const TOKEN_KINDS = ['user', 'user-optional', 'user-or-client', 'client', 'none'] as const;

/** The small schemas the others are made of (fresh ones each time: see the note at the top). */
function parts() {
  const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
  const positiveInt = (what: string) => z.number({ error: `must be a positive whole number of ${what}` }).int().positive();
  const nonEmpty = z.string().min(1, 'must not be empty');
  /** JSON has no comments: any object of the file may carry a `$comment` (JSON Schema's own convention). */
  const comment = z.string().optional().describe('A comment; ignored.');

  const headerName = z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name')
    .refine((n) => !RESERVED_HEADERS.has(n.toLowerCase()), 'is set by the relay itself and cannot be configured');
  // RFC 9110 §5.5: no CR, LF or NUL in a field value.
  const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'must not contain line breaks or NUL');
  return { httpUrl, positiveInt, nonEmpty, comment, headerName, headerValue };
}

/** A route's (or a host app's `requireUser`) requirements; `from` reuses parts already built. */
export function requireSchema(from: Pick<ReturnType<typeof parts>, 'nonEmpty' | 'comment'> = parts()) {
  const { nonEmpty, comment } = from;
  const claimValue = z.union([z.string(), z.number(), z.boolean()]);

  return z.strictObject({
    $comment: comment,
    claims: z
      .record(nonEmpty, z.union([claimValue, z.array(claimValue).min(1)]))
      .optional()
      .describe('{ name: value }: the claim equals value or, when an array, contains it; an array value means any one. Dotted names reach nested claims.'),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be a scope token')).optional().describe('Every one must be granted to the access token.'),
    acr: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be an acr value without spaces'))
      .min(1)
      .optional()
      .describe("The session's acr must be one of these; otherwise 401 step_up_required (RFC 9470)."),
    maxAge: z
      .number({ error: 'must be a whole number of seconds' })
      .int()
      .min(0)
      .optional()
      .describe('At most this many seconds since the user authenticated (auth_time); otherwise 401 step_up_required.'),
  });
}

/** Every schema of the file, built together (the options schema reuses the provider and route ones). */
export function fileSchemas() {
  const built = parts();
  const { httpUrl, positiveInt, nonEmpty, comment, headerName, headerValue } = built;
  const providerSchema = z.strictObject({
    $comment: comment,
    issuer: httpUrl
      .refine((u) => !URL.canParse(u) || new URL(u).protocol === 'https:' || isLoopbackHost(new URL(u).hostname), 'must be https unless it is on loopback (localhost, 127.0.0.1, ::1)')
      .describe('Issuer URL; metadata comes from its discovery document.'),
    clientId: nonEmpty.describe("The BFF's confidential client id."),
    clientSecret: nonEmpty.describe('The client secret; write "${NAME}" to take it from the environment.'),
    clientAuth: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic').describe('How the BFF authenticates at the token endpoint.'),
    scopes: z
      .string()
      .default('openid profile email offline_access')
      .refine((s) => s.split(/\s+/).includes('openid'), 'must include openid')
      .describe('Requested scopes, space-separated; must include openid.'),
    prompt: z.string().min(1).optional().describe('`prompt` sent at sign-in; "none-sent" sends none. Default: consent when offline_access is requested.'),
    label: nonEmpty.optional().describe('Shown on the sign-in choice; default: the provider name.'),
    bearerAudience: nonEmpty.optional().describe('The audience a bearer token (routes with "bearer": true) must name; default: clientId.'),
    userinfo: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe('When to call UserInfo at sign-in: auto (when the ID token lacks the claims of requested profile/email scopes), always or never.'),
  });

  const apiRouteSchema = z
    .strictObject({
      $comment: comment,
      path: z
        .string()
        .regex(ROUTE_PATH, 'must be /api or start with /api/, with segments of letters, digits, - . _ ~ (none starting with a dot)')
        .describe('Requests under this path (on a segment boundary; the longest matching path wins) use this route.'),
      upstream: httpUrl
        // Credentials in the URL would end up in logs; a query or fragment has no place to go.
        .refine((u) => !URL.canParse(u) || (!new URL(u).search && !new URL(u).hash && !new URL(u).username && !new URL(u).password), 'must have no credentials, query or fragment')
        .describe('Base URL the rest of the path and the query are appended to (its base path kept).'),
      token: z.enum(TOKEN_KINDS).default('user').describe('What goes in Authorization upstream.'),
      scope: nonEmpty.optional().describe('Client-credentials tokens: the scope to request.'),
      resource: z
        .string()
        // RFC 8707 §2: an absolute URI without a fragment (`https://api.example.com`, `urn:example:api`).
        .regex(/^[A-Za-z][A-Za-z0-9+.-]*:[^#\s]+$/, 'must be an absolute URI without a fragment')
        .optional()
        .describe('Client-credentials tokens: the RFC 8707 resource indicator.'),
      require: requireSchema(built).optional().describe('Checked before anything is relayed; any requirement needs a session. Unmet: 403 forbidden with missing.'),
      headers: z.record(headerName, headerValue).optional().describe('Static headers added to every relayed request; never logged or returned.'),
      timeoutMs: positiveInt('milliseconds').optional().describe('How long to wait for the response headers; default API_UPSTREAM_TIMEOUT_MS.'),
      bearer: z
        .boolean()
        .optional()
        .describe('Also accept Authorization: Bearer <access token> from non-browser clients (no cookie, no CSRF); the token is verified and relayed as is.'),
      websocket: z
        .boolean()
        .optional()
        .describe('Relay WebSocket upgrades (Origin must be the public origin; session, require and refresh checked before the handshake; closed with 1008 when the session ends).'),
    })
    .refine((r) => (r.scope === undefined && r.resource === undefined) || r.token === 'client' || r.token === 'user-or-client', {
      message: 'scope and resource apply only to routes whose token is client or user-or-client',
      path: ['token'],
    })
    // A bearer request's token is relayed as is: a `none` or `client` upstream must never receive a user's token.
    .refine((r) => r.bearer !== true || r.token === 'user' || r.token === 'user-optional' || r.token === 'user-or-client', {
      message: 'bearer applies only to routes whose token is user, user-optional or user-or-client',
      path: ['bearer'],
    });

  const providersSchema = z
    .record(z.string().regex(PROVIDER_NAME, 'provider names are lower-case letters, digits, - and _ (at most 32)'), providerSchema)
    .describe('OpenID Providers by name; `default` (or the only one) is used when sign-in names none.');

  /** Routes are matched case-insensitively, so two paths that differ only in case are the same route. */
  const apisSchema = z.array(apiRouteSchema).describe('The routes table: which upstream each /api path goes to, with which token.').superRefine((apis, ctx) => {
    const seen = new Map<string, number>();
    apis.forEach((route, i) => {
      const first = seen.get(routeKey(route.path));
      if (first === undefined) seen.set(routeKey(route.path), i);
      else ctx.addIssue({ code: 'custom', path: [i, 'path'], message: `repeats the path of apis[${first}]` });
    });
  });

  /** What the configuration file may hold (the rest of the options come from the environment). */
  const fileSchema = z.strictObject({
    $schema: z.string().optional(),
    $comment: comment,
    providers: providersSchema.optional(),
    apis: apisSchema.optional(),
    deviceFlow: z.boolean().optional().describe('Serve POST /auth/device and POST /auth/token (RFC 8628 device flow for command-line tools); default false.'),
  });
  return { httpUrl, providerSchema, apiRouteSchema, providersSchema, apisSchema, fileSchema };
}

type FileSchemas = ReturnType<typeof fileSchemas>;
export type FileOptions = z.infer<FileSchemas['fileSchema']>;
/** A configuration file's content as written (defaults not yet applied). */
export type FileInput = z.input<FileSchemas['fileSchema']>;
export type ProviderOptions = z.infer<FileSchemas['providerSchema']>;
export type ApiRouteOptions = z.infer<FileSchemas['apiRouteSchema']>;

/** The JSON Schema shipped as docs/bff.config.schema.json (what editors read through `"$schema"`). */
export function fileJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(fileSchemas().fileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'react-bff configuration file',
  };
}
