import type { ServerResponse } from 'node:http';

/** No inline script anywhere: the built SPA loads only hashed files from our own origin. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every response the BFF makes itself carries (the relay passes the API's own). */
export function setSecurityHeaders(res: ServerResponse, https: boolean): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  if (https) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
}
