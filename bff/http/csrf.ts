import type { IncomingMessage } from 'node:http';
import { CSRF_HEADER, CSRF_VALUE } from '../../shared/paths.ts';
import { CsrfRejected } from '../errors.ts';

/**
 * Refuses a request that another site could have made the browser send: a foreign `Origin`, or
 * `Sec-Fetch-Site: cross-site` (Fetch Metadata). Browsers always send Origin on cross-origin
 * fetches and on non-GET requests, so its absence means same-origin GET or a non-browser client.
 */
export function assertSameOrigin(req: IncomingMessage, publicOrigin: string): void {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== publicOrigin) throw new CsrfRejected('Requests from another origin are refused.');
  if (req.headers['sec-fetch-site'] === 'cross-site') throw new CsrfRejected('Cross-site requests are refused.');
}

/**
 * The API's anti-forgery rule: the static `X-CSRF: 1` header (a custom header forces a CORS
 * preflight that we never grant) plus the origin checks above.
 */
export function assertApiCsrf(req: IncomingMessage, publicOrigin: string): void {
  if (req.headers[CSRF_HEADER] !== CSRF_VALUE) throw new CsrfRejected('The X-CSRF: 1 header is required on /api requests.');
  assertSameOrigin(req, publicOrigin);
}
