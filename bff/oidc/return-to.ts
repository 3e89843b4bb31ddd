/**
 * `returnTo` is kept only when it is a same-origin relative path: it starts with one `/`, is not
 * `//host` or `/\host` (browsers treat `\` as `/`), and carries no control characters (tabs and
 * newlines are stripped by URL parsers, turning `/\t/evil` into `//evil`). Anything else becomes `/`.
 * @see RFC 9700 §4.11 (open redirectors)
 */
export function safeReturnTo(value: unknown, origin: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return '/';
  if (value[0] !== '/' || value[1] === '/' || value[1] === '\\') return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return '/';
  }
  // An encoded `//` or `\` may be decoded by the SPA's router or a later hop.
  // eslint-disable-next-line no-control-regex
  if (decoded.startsWith('//') || /[\u0000-\u001f\u007f\\]/.test(decoded)) return '/';
  const resolved = new URL(value, origin);
  if (resolved.origin !== origin) return '/';
  // Dot segments can resolve to a protocol-relative path: `/x/..//evil.example` → `//evil.example`.
  const out = resolved.pathname + resolved.search + resolved.hash;
  return out.startsWith('//') || out.startsWith('/\\') ? '/' : out;
}

/**
 * Where a step-up sign-in started by an API call comes back to: the page that made the call when
 * the request carries a same-origin `Referer`, else `/`. Pages the BFF serves send none
 * (`Referrer-Policy: no-referrer`), so the SPA's bffFetch puts its own location in `returnTo`
 * before following `loginUrl`; a Referer helps clients on other pages or policies.
 */
export function refererReturnTo(referer: string | undefined, origin: string): string {
  if (referer === undefined || !URL.canParse(referer)) return '/';
  const url = new URL(referer);
  return url.origin === origin ? safeReturnTo(url.pathname + url.search, origin) : '/';
}
