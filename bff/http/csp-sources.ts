/**
 * Extra sources an operator may add to one CSP directive (CSP_IMG_SRC and friends), checked so an
 * option can widen a directive but never break out of it or switch its protection off.
 * @see https://www.w3.org/TR/CSP3/#framework-directive-source-list
 */
export const CSP_OPTIONS = {
  CSP_IMG_SRC: 'img-src',
  CSP_CONNECT_SRC: 'connect-src',
  CSP_STYLE_SRC: 'style-src',
  CSP_FONT_SRC: 'font-src',
} as const;

export type CspDirective = (typeof CSP_OPTIONS)[keyof typeof CSP_OPTIONS];

const SCHEMES = new Set(['https:', 'wss:', 'data:', 'blob:']);
// scheme://host:port/path, with `*.` only as the leftmost label; no quotes, `;` or `,` anywhere.
const HOST_SOURCE = /^(?:(?:https?|wss?):\/\/)?(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::(?:\d{1,5}|\*))?(?:\/[A-Za-z0-9\-._~%!$&*+=:@/]*)?$/i;
const BARE_KEYWORD = /^(?:self|none|unsafe-inline|unsafe-eval|unsafe-hashes|wasm-unsafe-eval|strict-dynamic|report-sample|(?:sha256|sha384|sha512|nonce)-.*)$/i;
const HASH = /^'sha(?:256|384|512)-[A-Za-z0-9+/]+={0,2}'$/;

/** Why `value` is not an acceptable list of extra sources for `directive` (empty when it is). */
export function cspSourceProblems(value: string, directive: CspDirective): string[] {
  if (/[;,\r\n]/.test(value)) return ['must not contain ";", "," or line breaks (one directive\'s sources, separated by spaces)'];
  const problems: string[] = [];
  for (const source of value.trim().split(/\s+/).filter(Boolean)) {
    if (source === "'unsafe-eval'" || source === "'wasm-unsafe-eval'") problems.push(`${source} is not allowed: it lets strings run as code`);
    // A .env file strips one level of quotes: CSP_STYLE_SRC='unsafe-inline' arrives as a "host" named unsafe-inline.
    else if (BARE_KEYWORD.test(source)) problems.push(`${source} needs its single quotes: '${source}' (in .env, quote the whole value: "'${source}'")`);
    else if (source === '*') problems.push('"*" alone is not allowed: name the hosts (https://cdn.example.com, *.example.com)');
    else if (source === "'unsafe-inline'" || source === "'unsafe-hashes'" || HASH.test(source)) {
      if (directive !== 'style-src') problems.push(`${source} is only meaningful in style-src`);
    } else if (source.startsWith("'") || source.includes("'") || source.includes('"')) problems.push(`${source} is not an allowed source (quotes only around 'unsafe-inline' or a 'sha256-…' hash)`);
    else if (source.endsWith(':') && !source.includes('/')) {
      if (!SCHEMES.has(source.toLowerCase())) problems.push(`${source} is not allowed: use https:, wss:, data: or blob:, or name the hosts`);
    } else if (!HOST_SOURCE.test(source)) problems.push(`${source} is not a host source like https://cdn.example.com or *.example.com`);
  }
  return problems;
}

export function splitSources(value: string): string[] {
  return value.trim().split(/\s+/).filter(Boolean);
}
