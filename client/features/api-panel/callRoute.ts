import { BffHttpError, BffProblemError, bffFetch } from '../../bff/index.ts';

/** The demo API names who it saw in this header on every answer (and as `caller` in object bodies). */
const CALLER_HEADER = 'x-demo-caller';

/** What calling one route came to, in the terms the panel shows it. */
export type RouteOutcome =
  | { kind: 'answered'; caller: string | undefined; body: unknown }
  /** A 403: the BFF's `forbidden` (with what is `missing`) or the API's own refusal (with its reason). */
  | { kind: 'no-access'; decidedBy: 'bff' | 'api'; missing: string[]; reason: string | undefined }
  /** 401 `unauthenticated`: the route needs a user and there is none. */
  | { kind: 'needs-sign-in'; error: BffProblemError }
  | { kind: 'failed'; error: unknown };

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A 403 is an answer about the user's rights, not a failure: the BFF's `forbidden`, or the API's own. */
export function noAccessOf(error: unknown): Extract<RouteOutcome, { kind: 'no-access' }> | undefined {
  if (error instanceof BffProblemError && error.code === 'forbidden') {
    return { kind: 'no-access', decidedBy: 'bff', missing: error.problem.missing ?? [], reason: error.problem.detail };
  }
  if (!(error instanceof BffHttpError) || error.status !== 403) return undefined;
  const body = isRecord(error.body) ? error.body : {};
  const reason = typeof body.error_description === 'string' ? body.error_description : typeof body.error === 'string' ? body.error : undefined;
  return { kind: 'no-access', decidedBy: 'api', missing: [], reason };
}

/** GET `path` through the BFF and say who the API saw, or why nobody was let through. */
export async function callRoute(path: string): Promise<RouteOutcome> {
  try {
    const response = await bffFetch(path);
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON: shown as text.
    }
    const caller = response.headers.get(CALLER_HEADER) ?? (isRecord(body) && typeof body.caller === 'string' ? body.caller : undefined);
    return { kind: 'answered', caller, body };
  } catch (error) {
    const noAccess = noAccessOf(error);
    if (noAccess) return noAccess;
    if (error instanceof BffProblemError && error.code === 'unauthenticated') return { kind: 'needs-sign-in', error };
    return { kind: 'failed', error };
  }
}
