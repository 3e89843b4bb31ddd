import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import type { SessionResolver } from '../session/resolve.ts';
import type { SessionData } from '../session/data.ts';
import { requireSchema } from '../options/file-schema.ts';
import { assertRequirements, unmetRequirements, type Requirements } from '../routes/require.ts';
import { refererReturnTo } from '../oidc/return-to.ts';
import { assertApiCsrf } from './csrf.ts';
import { sendProblem } from './problem.ts';
import { InsufficientScope, SessionExpired, Unauthenticated } from '../errors.ts';
import { hasBearer, type BearerVerifier } from '../tokens/bearer.ts';

/** What `requireUser()` / `optionalUser()` put on `req.bff` for the host app's own handler. */
export interface BffRequestContext {
  /** The signed-in user's claims (from the ID token, and UserInfo where configured); for a bearer request, the token's claims. */
  readonly user: Readonly<Record<string, unknown>> & { readonly sub: string };
  /** The user's current access token, for the server's own calls to APIs. Never send it to the browser. */
  readonly accessToken: string;
  /** The BFF's id of this session (what `/auth/logout?sid=` names); empty for a bearer request. */
  readonly sid: string;
}

/**
 * The `require` object of a route, for the host app's own routes, plus `bearer`: also accept
 * `Authorization: Bearer <access token>` from a client with no cookie (a CLI, another service).
 */
export type UserRequirements = Requirements & { readonly bearer?: boolean };

type Next = (err?: unknown) => void;
export type UserMiddleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/**
 * `requireUser()` and `optionalUser()`: the routes table's session rules for the host app's own
 * routes. Same CSRF rule as `/api/*`, same `require` object and problems (403 `forbidden`, 401
 * `step_up_required` for `acr` / `maxAge`), same transparent refresh
 * (the refreshed cookie is set on `res` before the host's handler runs, so it leaves with its answer).
 * Problems are answered here as `application/problem+json`, not passed to the host's error handler,
 * so the SPA's `bffFetch` reads them the same as the relay's.
 * @see CONTRACT.md, second part, "Your own server routes (the BFF as a library)"
 */
export function createUserMiddleware(config: Config, resolver: SessionResolver, bearer: BearerVerifier, clock: () => number, onRefused: (res: ServerResponse, err: unknown) => void = () => {}) {
  /** Validated once, when the route is declared: a typo in a requirement fails at start-up, not at the first request. */
  function parseRequirements(given: UserRequirements | undefined, name: string): { require: Requirements | undefined; bearer: boolean } {
    if (given === undefined) return { require: undefined, bearer: false };
    const { bearer: byBearer, ...require } = given;
    if (byBearer !== undefined && typeof byBearer !== 'boolean') throw new TypeError(`Invalid requirements: ${name}.bearer: must be true or false`);
    if (Object.keys(require).length === 0) return { require: undefined, bearer: byBearer === true };
    const parsed = requireSchema().safeParse(require);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${[name, ...i.path].join('.')}: ${i.message}`).join('; ');
      throw new TypeError(`Invalid requirements: ${why}`);
    }
    return { require: parsed.data, bearer: byBearer === true };
  }

  /**
   * A bearer request is judged by its token alone: no CSRF (it carries no ambient credential) and
   * any cookie ignored. `req.bff.sid` is empty: there is no BFF session behind it.
   * @see RFC 6750 §3.1; CONTRACT.md, "Non-browser clients"
   */
  async function attachBearer(req: IncomingMessage, require: Requirements | undefined): Promise<void> {
    const verified = await bearer.verify(req.headers.authorization);
    if (require !== undefined) {
      const missing = unmetRequirements(require, verified.claims, verified.scope);
      if (missing.length > 0) throw new InsufficientScope(missing);
    }
    const sub = typeof verified.claims.sub === 'string' ? verified.claims.sub : String(verified.claims.client_id ?? '');
    const context: BffRequestContext = { user: { ...verified.claims, sub }, accessToken: verified.token, sid: '' };
    (req as IncomingMessage & { bff?: BffRequestContext }).bff = context;
  }

  function attach(req: IncomingMessage, session: SessionData, require: Requirements | undefined): void {
    if (require !== undefined) {
      const defaultScopes = (config.providers[session.provider ?? config.oidc.name] ?? config.oidc).scopes;
      assertRequirements(require, session, { nowS: Math.floor(clock() / 1000), defaultScopes, returnTo: refererReturnTo(req.headers.referer, config.publicOrigin) });
    }
    const context: BffRequestContext = { user: session.user, accessToken: session.at, sid: session.sid };
    (req as IncomingMessage & { bff?: BffRequestContext }).bff = context;
  }

  function middleware(optional: boolean, { require, bearer: byBearer }: ReturnType<typeof parseRequirements>): UserMiddleware {
    return (req, res, next) => {
      const run = async () => {
        if (byBearer && hasBearer(req.headers.authorization)) return attachBearer(req, require);
        assertApiCsrf(req, config.publicOrigin);
        const resolved = resolver.resolve(req, res, { fresh: true, touch: true });
        const current = resolved instanceof Promise ? await resolved : resolved;
        if (current.state === 'active') attach(req, current.data, require);
        // An ended session's cookies are already being cleared: for `optionalUser` the caller is now anonymous.
        else if (!optional) throw current.state === 'expired' ? new SessionExpired() : new Unauthenticated();
      };
      run().then(
        () => next(),
        (err: unknown) => {
          onRefused(res, err);
          sendProblem(res, err);
        },
      );
    };
  }

  return {
    /** 401 `unauthenticated` / `session_expired` without a session, 403 `forbidden` when `require` is unmet. */
    requireUser: (require?: UserRequirements): UserMiddleware => middleware(false, parseRequirements(require, 'requireUser')),
    /** Anonymous requests pass with no `req.bff`; a session must still meet `require`. */
    optionalUser: (require?: UserRequirements): UserMiddleware => middleware(true, parseRequirements(require, 'optionalUser')),
  };
}
