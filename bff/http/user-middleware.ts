import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import type { SessionResolver } from '../session/resolve.ts';
import type { SessionData } from '../session/data.ts';
import { requireSchema } from '../options/file-schema.ts';
import { unmetRequirements, type Requirements } from '../routes/require.ts';
import { assertApiCsrf } from './csrf.ts';
import { sendProblem } from './problem.ts';
import { Forbidden, SessionExpired, Unauthenticated } from '../errors.ts';

/** What `requireUser()` / `optionalUser()` put on `req.bff` for the host app's own handler. */
export interface BffRequestContext {
  /** The signed-in user's claims (from the ID token, and UserInfo where configured). */
  readonly user: Readonly<Record<string, unknown>> & { readonly sub: string };
  /** The user's current access token, for the server's own calls to APIs. Never send it to the browser. */
  readonly accessToken: string;
  /** The BFF's id of this session (what `/auth/logout?sid=` names). */
  readonly sid: string;
}

/** The `require` object of a route, for the host app's own routes. */
export type UserRequirements = Requirements;

type Next = (err?: unknown) => void;
export type UserMiddleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

/**
 * `requireUser()` and `optionalUser()`: the routes table's session rules for the host app's own
 * routes. Same CSRF rule as `/api/*`, same `require` object and problems, same transparent refresh
 * (the refreshed cookie is set on `res` before the host's handler runs, so it leaves with its answer).
 * Problems are answered here as `application/problem+json`, not passed to the host's error handler,
 * so the SPA's `bffFetch` reads them the same as the relay's.
 * @see CONTRACT.md, second part, "Your own server routes (the BFF as a library)"
 */
export function createUserMiddleware(config: Config, resolver: SessionResolver) {
  /** Validated once, when the route is declared: a typo in a requirement fails at start-up, not at the first request. */
  function parseRequirements(require: UserRequirements | undefined, name: string): Requirements | undefined {
    if (require === undefined) return undefined;
    const parsed = requireSchema.safeParse(require);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${[name, ...i.path].join('.')}: ${i.message}`).join('; ');
      throw new TypeError(`Invalid requirements: ${why}`);
    }
    return parsed.data;
  }

  function attach(req: IncomingMessage, session: SessionData, require: Requirements | undefined): void {
    if (require !== undefined) {
      const missing = unmetRequirements(require, session.user, session.scope ?? config.oidc.scopes);
      if (missing.length > 0) throw new Forbidden(missing);
    }
    const context: BffRequestContext = { user: session.user, accessToken: session.at, sid: session.sid };
    (req as IncomingMessage & { bff?: BffRequestContext }).bff = context;
  }

  function middleware(optional: boolean, require: Requirements | undefined): UserMiddleware {
    return (req, res, next) => {
      const run = async () => {
        assertApiCsrf(req, config.publicOrigin);
        const resolved = resolver.resolve(req, res, { fresh: true, touch: true });
        const current = resolved instanceof Promise ? await resolved : resolved;
        if (current.state === 'active') attach(req, current.data, require);
        // An ended session's cookies are already being cleared: for `optionalUser` the caller is now anonymous.
        else if (!optional) throw current.state === 'expired' ? new SessionExpired() : new Unauthenticated();
      };
      run().then(
        () => next(),
        (err: unknown) => sendProblem(res, err),
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
