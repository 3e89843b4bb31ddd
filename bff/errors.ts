import type { ProblemCode, Problem } from '../shared/problem.ts';

/**
 * The BFF's own errors. Each subclass is named after its stable `code`; `expose` says whether the
 * message may reach the client (anything not meant to be exposed is rendered as a generic title).
 */
export class BffError extends Error {
  readonly status: number;
  readonly code: ProblemCode;
  readonly expose: boolean;
  /** Extra headers the response must carry (e.g. `Allow` on 405). */
  readonly headers: Record<string, string>;
  /** Extension members of the problem (RFC 9457 §3.2), e.g. `missing` on 403 `forbidden`. */
  readonly members: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    code: ProblemCode,
    message: string,
    options: { expose?: boolean; cause?: unknown; headers?: Record<string, string>; members?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.expose = options.expose ?? status < 500;
    this.headers = options.headers ?? {};
    this.members = options.members ?? {};
  }
}

/** 400 `bad_request`: a malformed request or an unknown/invalid parameter. @see RFC 9457 */
export class BadRequest extends BffError { constructor(msg = 'The request is malformed.') { super(400, 'bad_request', msg); } }
/** 400 `bad_path`: an `/api` path the relay will not forward (traversal, encoded separators …). @see CONTRACT.md, "The relay, precisely" */
export class BadPath extends BffError { constructor(msg = 'The path is not allowed.') { super(400, 'bad_path', msg); } }
/** 400 `invalid_sid`: a logout that does not name the current session (CSRF-safe logout). */
export class InvalidSid extends BffError { constructor() { super(400, 'invalid_sid', 'The logout request does not name the current session.'); } }
/** 403 `csrf`: no `X-CSRF: 1`, a foreign `Origin` or `Sec-Fetch-Site: cross-site`. @see CONTRACT.md, "Browser-facing hardening" */
export class CsrfRejected extends BffError { constructor(msg = 'Cross-site request refused.') { super(403, 'csrf', msg); } }
/** 401 `unauthenticated`: the route needs a session and the request has none. */
export class Unauthenticated extends BffError { constructor() { super(401, 'unauthenticated', 'Sign in first.'); } }
/** 401 `session_expired`: the session ended (timeout, logout, a refresh the provider rejected). */
export class SessionExpired extends BffError { constructor(msg = 'The session has expired; sign in again.') { super(401, 'session_expired', msg); } }
/** 405 `method_not_allowed`, with `Allow`. @see RFC 9110 §15.5.6 */
export class MethodNotAllowed extends BffError {
  constructor(allow: string) { super(405, 'method_not_allowed', 'This method is not allowed here.', { headers: { allow } }); }
}
/** 414 `uri_too_long`. */
export class UriTooLong extends BffError { constructor() { super(414, 'uri_too_long', 'The request URL is too long.'); } }
/** Signed in, but a route's `require` is not met. Never a 401: that would send the user round a login loop. */
export class Forbidden extends BffError {
  constructor(missing: string[]) { super(403, 'forbidden', 'You do not have access to this.', { members: { missing } }); }
}
/** A bearer token that is missing, malformed, forged, expired or not for us. @see RFC 6750 §3.1 */
export class InvalidToken extends BffError {
  constructor() { super(401, 'invalid_token', 'The access token is invalid or expired.', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } }); }
}
/** A valid bearer token whose claims or scopes do not meet the route's `require`. @see RFC 6750 §3.1 */
export class InsufficientScope extends BffError {
  constructor(missing: string[]) {
    super(403, 'forbidden', 'The access token does not grant access to this.', { members: { missing }, headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' } });
  }
}
/**
 * Signed in, but not strongly or recently enough for this (RFC 9470): `loginUrl` starts the sign-in
 * that would meet `acr_values` / `max_age` and comes back to `returnTo`.
 */
export class StepUpRequired extends BffError {
  constructor(ask: { acr_values?: string; max_age?: number }, returnTo: string) {
    const query = new URLSearchParams();
    if (ask.acr_values !== undefined) query.set('acr_values', ask.acr_values);
    if (ask.max_age !== undefined) query.set('max_age', String(ask.max_age));
    query.set('returnTo', returnTo);
    const members = { ...ask, loginUrl: `/auth/login?${query}` };
    super(401, 'step_up_required', 'A stronger or more recent sign-in is required.', { members, headers: { 'www-authenticate': stepUpChallenge(ask) } });
  }
}
function stepUpChallenge(ask: { acr_values?: string; max_age?: number }): string {
  let value = 'Bearer error="insufficient_user_authentication"';
  if (ask.acr_values !== undefined) value += `, acr_values="${ask.acr_values}"`;
  if (ask.max_age !== undefined) value += `, max_age="${ask.max_age}"`;
  return value;
}
/** 400 `unknown_provider`: `/auth/login?provider=` names no configured provider. */
export class UnknownProvider extends BffError { constructor() { super(400, 'unknown_provider', 'No provider of that name is configured.'); } }
/** 404 `not_found`: no BFF route, and no `/api` route of the table matches. */
export class NotFound extends BffError { constructor() { super(404, 'not_found', 'Nothing here.'); } }
/** 429 `too_many_requests`, with `Retry-After` when known: a per-session, per-user or per-address bound. */
export class TooManyRequests extends BffError {
  constructor(msg = 'Too many requests in flight for this session.', retryAfterS?: number) {
    super(429, 'too_many_requests', msg, retryAfterS === undefined ? {} : { headers: { 'retry-after': String(retryAfterS) } });
  }
}
/** 503 `provider_unavailable`: the provider could not be reached or answered 5xx; the session is kept. */
export class ProviderUnavailable extends BffError {
  constructor(cause?: unknown) { super(503, 'provider_unavailable', 'The identity provider cannot be reached; try again shortly.', { expose: true, cause }); }
}
/** 502 `upstream_unavailable`: the API could not be reached or broke the connection. */
export class UpstreamUnavailable extends BffError {
  constructor(cause?: unknown) { super(502, 'upstream_unavailable', 'The API cannot be reached.', { expose: true, cause }); }
}
/** 504 `upstream_timeout`: the API sent no response headers within the route's `timeoutMs`. */
export class UpstreamTimeout extends BffError {
  constructor(msg = 'The API did not answer in time.') { super(504, 'upstream_timeout', msg, { expose: true }); }
}
/** The timeout passed while waiting for a free connection to the API (all API_UPSTREAM_MAX_SOCKETS busy): not the API being slow. */
export class UpstreamPoolTimeout extends UpstreamTimeout {
  constructor() { super('Every connection to the API stayed busy (API_UPSTREAM_MAX_SOCKETS); the request was never sent.'); }
}
/** 408 `upload_timeout`: the request body stalled or missed the upload deadline. */
export class UploadTimeout extends BffError {
  constructor() { super(408, 'upload_timeout', 'The request body came too slowly.'); }
}
/** 501 `unsupported_transfer_coding`: a transfer coding other than plain `chunked`. */
export class UnsupportedTransferCoding extends BffError {
  constructor() { super(501, 'unsupported_transfer_coding', 'Only Transfer-Encoding: chunked is supported.', { expose: true }); }
}
/** The shared state store (Redis) cannot be reached, and going on without it could refresh twice. */
export class StoreUnavailable extends BffError {
  constructor(cause?: unknown) {
    super(503, 'store_unavailable', 'Session state is unavailable; try again shortly.', { expose: true, cause, headers: { 'retry-after': '1' } });
  }
}
/** 503 `not_ready`: the provider metadata is not loaded yet (`/readyz`, sign-in). */
export class NotReady extends BffError { constructor() { super(503, 'not_ready', 'The provider metadata is not loaded yet.', { expose: true }); } }

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 414: 'URI Too Long',
  413: 'Payload Too Large', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** Any thrown value to the RFC 9457 body we send. Unknown errors become a bare 500 with no detail. */
export function toProblem(err: unknown): Problem & { headers: Record<string, string> } {
  if (err instanceof BffError) {
    return {
      ...err.members,
      title: TITLES[err.status] ?? 'Error',
      status: err.status,
      code: err.code,
      ...(err.expose ? { detail: err.message } : {}),
      headers: err.headers,
    };
  }
  // body-parser and friends mark client errors with a 4xx `status` and `expose`.
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { title: TITLES[status] ?? 'Bad Request', status, code: status === 413 ? 'payload_too_large' : 'bad_request', headers: {} };
  }
  return { title: TITLES[500]!, status: 500, code: 'internal_error', headers: {} };
}
