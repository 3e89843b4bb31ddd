import type { Problem, ProblemCode } from '../../shared/problem.ts';
import { SIGN_IN_AGAIN_CODES } from '../../shared/problem.ts';

/**
 * Every way a call to the BFF can fail has its own class, so screens can switch on `instanceof`
 * instead of parsing messages.
 */

/** The BFF itself refused: an `application/problem+json` answer with a stable `code`. */
export class BffProblemError extends Error {
  override readonly name = 'BffProblemError';
  readonly code: ProblemCode;
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem, status: number) {
    super(problem.detail ?? problem.title);
    this.problem = problem;
    this.code = problem.code;
    // The HTTP status is authoritative; the body's `status` is advisory per RFC 9457.
    this.status = status;
  }
}

/** A non-2xx answer that is not a BFF problem, e.g. the upstream API's own 403 relayed as is. */
export class BffHttpError extends Error {
  override readonly name = 'BffHttpError';
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

/** A 2xx answer whose body is not what the SPA expects (wrong JSON shape, not JSON at all). */
export class BffResponseError extends Error {
  override readonly name = 'BffResponseError';

  constructor(url: string, reason: string) {
    super(`Unexpected response from ${url}: ${reason}`);
  }
}

/** Errors after which only signing in again helps. */
export function isSignInAgainError(error: unknown): error is BffProblemError {
  return error instanceof BffProblemError && SIGN_IN_AGAIN_CODES.has(error.code);
}

/**
 * The downstream API refused for lack of permission (e.g. `{error:'insufficient_scope'}` for a
 * reader). The BFF's own 403 (`csrf`) is a problem with its own title, not a permission matter.
 */
export function isForbidden(error: unknown): boolean {
  return error instanceof BffHttpError && error.status === 403;
}
