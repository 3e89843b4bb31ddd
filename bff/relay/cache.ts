/**
 * Shared caches and relayed answers. The API sees `Authorization`, which keeps its answers out of
 * shared caches (RFC 9111 §3.5) whatever their `Cache-Control` says; the browser's request to the
 * BFF carries a cookie instead, so a CDN in front of the BFF could store one user's answer and
 * serve it to another. Every relayed answer is therefore `private` unless the API said `public`
 * (its other directives, `no-store` included, are kept), and varies on `Cookie`.
 */

/** Rewrites the flat `[name, value, …]` response header list in place; returns it. */
export function markPrivate(headers: string[]): string[] {
  let cacheControl: string | undefined;
  let vary: string | undefined;
  let w = 0;
  for (let r = 0; r < headers.length; r += 2) {
    const name = headers[r]!;
    const lower = name.length === 13 || name.length === 4 ? name.toLowerCase() : '';
    if (lower === 'cache-control') cacheControl = cacheControl === undefined ? headers[r + 1]! : `${cacheControl}, ${headers[r + 1]!}`;
    else if (lower === 'vary') vary = vary === undefined ? headers[r + 1]! : `${vary}, ${headers[r + 1]!}`;
    else {
      headers[w++] = name;
      headers[w++] = headers[r + 1]!;
    }
  }
  headers.length = w;
  headers.push('cache-control', privateCacheControl(cacheControl), 'vary', varyOnCookie(vary));
  return headers;
}

/** Directive names (before any `=`), lower-cased. */
function directives(value: string): string[] {
  return value.split(',').map((d) => d.split('=', 1)[0]!.trim().toLowerCase());
}

function privateCacheControl(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return 'private';
  const names = directives(value);
  // A bare `private`; `private="field"` only makes the named fields private (RFC 9111 §5.2.2.7).
  const isPrivate = value.split(',').some((d) => d.trim().toLowerCase() === 'private');
  if (isPrivate || names.includes('public')) return value;
  return `private, ${value}`;
}

function varyOnCookie(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return 'Cookie';
  const names = directives(value);
  if (names.includes('*') || names.includes('cookie')) return value;
  return `${value}, Cookie`;
}
