import { CSRF_HEADER, CSRF_VALUE } from '../../shared/paths.ts';
import { PROBLEM_CONTENT_TYPE, problemSchema } from '../../shared/problem.ts';
import { BffHttpError, BffNetworkError, BffProblemError, BffResponseError, BffStepUpError } from './errors.ts';
import { followStepUp } from './step-up.ts';

/** `fetch`'s options, plus what `bffFetch` itself decides. */
export interface BffRequestInit extends RequestInit {
  /**
   * On a `step_up_required` problem, navigate to its `loginUrl` (default `true`). With `false` the
   * `BffStepUpError` is only thrown, for an app that asks the user first.
   */
  stepUp?: boolean;
}

/**
 * Anything with zod's `safeParse` (zod, zod/mini, or a hand-written validator): how `bffJson`
 * checks a body before the app sees it.
 */
export interface BffSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { message: string } };
}

/**
 * Calls the BFF. Same-origin only: the session lives in an HttpOnly cookie, so there is never a
 * token to attach; the static `X-CSRF: 1` header is what makes a cross-site form or `<img>`
 * unable to reach `/api` (it forces a CORS preflight). Resolves on 2xx; every other outcome
 * throws a typed error: `BffProblemError` (the BFF's problem+json, `BffStepUpError` for
 * `step_up_required`), `BffHttpError` (any other non-2xx), `BffNetworkError` (no answer).
 * @see RFC 9457 (problem details); CONTRACT.md "Routes of the BFF" (`X-CSRF`)
 */
export async function bffFetch(path: string, init: BffRequestInit = {}): Promise<Response> {
  const { stepUp = true, ...request } = init;
  // Resolving against the page's origin (rather than passing a relative URL) keeps the check
  // below honest and works in test DOMs whose fetch needs absolute URLs.
  const url = new URL(path, window.location.origin);
  if (url.origin !== window.location.origin) {
    throw new TypeError(`bffFetch is same-origin only, refused ${url.origin}`);
  }
  const headers = new Headers(request.headers);
  headers.set(CSRF_HEADER, CSRF_VALUE);
  if (!headers.has('accept')) headers.set('accept', `application/json, ${PROBLEM_CONTENT_TYPE}`);

  let response: Response;
  try {
    response = await fetch(url, { ...request, headers, credentials: 'same-origin' });
  } catch (cause) {
    // A cancelled query is not a network failure; let React Query see its own AbortError.
    if (request.signal?.aborted) throw cause;
    throw new BffNetworkError(url.pathname, { cause });
  }
  if (response.ok) return response;
  const error = await toError(response, url.pathname);
  if (error instanceof BffProblemError && error.code === 'step_up_required') {
    throw new BffStepUpError(error.problem, error.status, stepUp && followStepUp(error.problem.loginUrl));
  }
  throw error;
}

/** `bffFetch` plus JSON parsing and validation against `schema`, so screens only ever see well-formed data. */
export async function bffJson<T>(path: string, schema: BffSchema<T>, init?: BffRequestInit): Promise<T> {
  const response = await bffFetch(path, init);
  let data: unknown;
  try {
    data = await response.json();
  } catch {
    throw new BffResponseError(path, 'body is not JSON');
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new BffResponseError(path, parsed.error.message);
  return parsed.data;
}

/** A JSON request body with its content type, to spread into `bffFetch`'s options; the caller picks the method. */
export function jsonBody(value: unknown): Pick<RequestInit, 'body' | 'headers'> {
  return { body: JSON.stringify(value), headers: { 'content-type': 'application/json' } };
}

async function toError(response: Response, path: string): Promise<Error> {
  const contentType = response.headers.get('content-type')?.toLowerCase();
  const body = await readBody(response, contentType);
  // startsWith: the media type may carry parameters (`application/problem+json; charset=utf-8`).
  if (contentType?.startsWith(PROBLEM_CONTENT_TYPE)) {
    const problem = problemSchema.safeParse(body);
    // A problem with a code this build does not know yet (the list only grows) is still an
    // error the user must see; it just cannot be switched on, so it falls through as HTTP.
    if (problem.success) return new BffProblemError(problem.data, response.status);
  }
  return new BffHttpError(response.status, body, path);
}

async function readBody(response: Response, contentType: string | undefined): Promise<unknown> {
  // A body cut off mid-way is no reason to lose the status: the error just has no body then.
  const text = await response.text().catch(() => undefined);
  if (!text) return undefined;
  return contentType?.includes('json') ? parseJsonOrText(text) : text;
}

/** A body that claims to be JSON but is not is still worth showing, as text. */
function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
