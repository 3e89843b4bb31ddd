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

export class BadRequest extends BffError { constructor(msg = 'The request is malformed.') { super(400, 'bad_request', msg); } }
export class BadPath extends BffError { constructor(msg = 'The path is not allowed.') { super(400, 'bad_path', msg); } }
export class InvalidSid extends BffError { constructor() { super(400, 'invalid_sid', 'The logout request does not name the current session.'); } }
export class CsrfRejected extends BffError { constructor(msg = 'Cross-site request refused.') { super(403, 'csrf', msg); } }
export class Unauthenticated extends BffError { constructor() { super(401, 'unauthenticated', 'Sign in first.'); } }
export class SessionExpired extends BffError { constructor(msg = 'The session has expired; sign in again.') { super(401, 'session_expired', msg); } }
export class MethodNotAllowed extends BffError {
  constructor(allow: string) { super(405, 'method_not_allowed', 'This method is not allowed here.', { headers: { allow } }); }
}
export class UriTooLong extends BffError { constructor() { super(414, 'uri_too_long', 'The request URL is too long.'); } }
/** Signed in, but a route's `require` is not met. Never a 401: that would send the user round a login loop. */
export class Forbidden extends BffError {
  constructor(missing: string[]) { super(403, 'forbidden', 'You do not have access to this.', { members: { missing } }); }
}
export class NotFound extends BffError { constructor() { super(404, 'not_found', 'Nothing here.'); } }
export class TooManyRequests extends BffError {
  constructor(msg = 'Too many requests in flight for this session.', retryAfterS?: number) {
    super(429, 'too_many_requests', msg, retryAfterS === undefined ? {} : { headers: { 'retry-after': String(retryAfterS) } });
  }
}
export class ProviderUnavailable extends BffError {
  constructor(cause?: unknown) { super(503, 'provider_unavailable', 'The identity provider cannot be reached; try again shortly.', { expose: true, cause }); }
}
export class UpstreamUnavailable extends BffError {
  constructor(cause?: unknown) { super(502, 'upstream_unavailable', 'The API cannot be reached.', { expose: true, cause }); }
}
export class UpstreamTimeout extends BffError {
  constructor() { super(504, 'upstream_timeout', 'The API did not answer in time.', { expose: true }); }
}
export class UploadTimeout extends BffError {
  constructor() { super(408, 'upload_timeout', 'The request body came too slowly.'); }
}
export class UnsupportedTransferCoding extends BffError {
  constructor() { super(501, 'unsupported_transfer_coding', 'Only Transfer-Encoding: chunked is supported.', { expose: true }); }
}
/** The shared state store (Redis) cannot be reached, and going on without it could refresh twice. */
export class StoreUnavailable extends BffError {
  constructor(cause?: unknown) {
    super(503, 'store_unavailable', 'Session state is unavailable; try again shortly.', { expose: true, cause, headers: { 'retry-after': '1' } });
  }
}
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
