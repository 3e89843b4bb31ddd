import type { ServerResponse } from 'node:http';
import type { Config } from '../config.ts';

/** No inline script anywhere: the built SPA loads only hashed files from our own origin. */
const BASE_POLICY: readonly (readonly [string, ...string[]])[] = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self'", 'data:'],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'self'"],
  ['frame-ancestors', "'none'"],
];

const render = (policy: readonly (readonly string[])[]) => policy.map((d) => d.join(' ')).join('; ');

export const CONTENT_SECURITY_POLICY = render(BASE_POLICY);

/**
 * The policy with the operator's extra sources (CSP_IMG_SRC, CSP_CONNECT_SRC, CSP_STYLE_SRC,
 * CSP_FONT_SRC; validated in config.ts) appended to their directives. script-src takes none.
 */
export function contentSecurityPolicy(extra: Config['csp']): string {
  const added: Record<string, readonly string[]> = { 'img-src': extra.imgSrc, 'connect-src': extra.connectSrc, 'style-src': extra.styleSrc, 'font-src': extra.fontSrc };
  return render(BASE_POLICY.map(([name, ...sources]) => [name, ...sources, ...(added[name] ?? []).filter((s) => !sources.includes(s))]));
}

/** Headers every response the BFF makes itself carries (the relay passes the API's own). */
export function setSecurityHeaders(res: ServerResponse, https: boolean, csp: string = CONTENT_SECURITY_POLICY): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  res.setHeader('content-security-policy', csp);
  if (https) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
}
