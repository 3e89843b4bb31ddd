import type { Problem, ProblemCode } from '../../shared/problem.ts';
import { SIGN_IN_AGAIN_CODES } from '../../shared/problem.ts';

/**
 * Every way a call to the BFF can fail has its own class, so screens can switch on `instanceof`
 * instead of parsing messages.
 */

/**
 * The BFF itself refused: an `application/problem+json` answer with a stable `code`.
 * @see RFC 9457, Problem Details for HTTP APIs
 */
export class BffProblemError extends Error {
  override readonly name: string = 'BffProblemError';
  /** The BFF's stable, machine-readable reason (`shared/problem.ts`). */
  readonly code: ProblemCode;
  /** The HTTP status of the answer (authoritative; the body's `status` is advisory per RFC 9457). */
  readonly status: number;
  /** The whole problem body, with code-specific members such as `missing` or `loginUrl`. */
  readonly problem: Problem;

  constructor(problem: Problem, status: number) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
    this.code = problem.code;
    this.status = status;
  }
}

/**
 * A `step_up_required` problem (after RFC 9470): the call needs a stronger or more recent sign-in.
 * `following` is true when `bffFetch` is already taking the browser to the problem's `loginUrl`.
 * @see RFC 9470, OAuth 2.0 Step Up Authentication Challenge Protocol
 */
export class BffStepUpError extends BffProblemError {
  override readonly name: string = 'BffStepUpError';
  /** Whether a full-page navigation to `problem.loginUrl` has been started. */
  readonly following: boolean;

  constructor(problem: Problem, status: number, following: boolean) {
    super(problem, status);
    this.following = following;
  }
}

/** A non-2xx answer that is not a BFF problem, e.g. the upstream API's own 403 relayed as is. */
export class BffHttpError extends Error {
  override readonly name = 'BffHttpError';
  /** The HTTP status of the answer. */
  readonly status: number;
  /** The parsed JSON body, the text body, or `undefined` when there was none. */
  readonly body: unknown;

  constructor(status: number, body: unknown, url: string) {
    super(`HTTP ${status} from ${url}`);
    this.status = status;
    this.body = body;
  }
}

/** The request never got an answer (offline, BFF down, connection reset). */
export class BffNetworkError extends Error {
  override readonly name = 'BffNetworkError';

  constructor(url: string, options?: { cause?: unknown }) {
    super(`Could not reach ${url}`, options);
  }
}

/** A 2xx answer whose body is not what the app expects (wrong JSON shape, not JSON at all). */
export class BffResponseError extends Error {
  override readonly name = 'BffResponseError';

  constructor(url: string, reason: string) {
    super(`Unexpected response from ${url}: ${reason}`);
  }
}

/** Whether `error` says the session is gone (`unauthenticated`, `session_expired`): only signing in again helps. */
export function isSignInAgainError(error: unknown): error is BffProblemError {
  return error instanceof BffProblemError && SIGN_IN_AGAIN_CODES.has(error.code);
}

/**
 * Whether `error` is the downstream API's own 403 (e.g. `{error:'insufficient_scope'}`). The BFF's
 * own 403s (`csrf`, `forbidden`) are problems with their own code.
 */
export function isForbidden(error: unknown): boolean {
  return error instanceof BffHttpError && error.status === 403;
}
