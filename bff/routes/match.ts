import { BadPath } from '../errors.ts';

/**
 * The routes table's matching: a request to `/api/...` goes to the route with the longest `path`
 * that matches on a segment boundary (`/api/notes` matches `/api/notes`, `/api/notes/7`,
 * `/api/notes?x=1`, never `/api/notesx`).
 *
 * Matching must never be weaker than the upstream's own reading of the path, or a request could
 * dodge a route's `require` by reaching the same upstream through a shorter route. So segments are
 * compared the way a lenient upstream would read them:
 * - ASCII case-insensitively (many servers route case-insensitively: `/api/ADMIN` is `/api/admin`);
 * - up to the first `;` (Tomcat-like servers strip path parameters: `admin;x=1` is `admin`);
 * - percent-encoded unreserved characters (`%61` for `a`, RFC 3986 §2.3) are refused outright,
 *   since a normalising upstream decodes them and no browser sends them.
 * Route paths themselves are restricted to unreserved characters (see `isRoutePath`), so any other
 * encoded byte can never equal a route segment, decoded or not.
 */

/** A route path as the configuration may write it: `/api` or `/api/seg/...`, unreserved characters only, no segment starting with a dot. */
export const ROUTE_PATH = /^\/api(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*$/;

export function isRoutePath(path: string): boolean {
  return ROUTE_PATH.test(path);
}

/** The key a route path or request path prefix is compared by. */
export function routeKey(path: string): string {
  return path.toLowerCase();
}

const UNRESERVED_PCT = /%(?:[46][1-9a-fA-F]|[57][0-9aA]|3[0-9]|2[dDeE]|5[fF]|7[eE])/;

/**
 * The segments of `pathname` (`/api/...`, already through the relay's path safety), normalised for
 * matching. Throws BadPath for an encoded unreserved character.
 */
export function matchSegments(pathname: string): string[] {
  if (UNRESERVED_PCT.test(pathname)) throw new BadPath();
  const segments = pathname.split('/').slice(1);
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop(); // trailing slash
  return segments.map((s) => {
    const semi = s.indexOf(';');
    return routeKey(semi === -1 ? s : s.slice(0, semi));
  });
}

export interface RouteMatch<R> {
  readonly route: R;
  /** The raw rest of the path after the route's segments (`''`, or `/…`): appended to the upstream's base path. */
  readonly rest: string;
}

/**
 * Compiles routes into a matcher. Each lookup costs one Map probe per segment of the request path
 * (longest first), whatever the number of routes.
 */
export function createRouteMatcher<R extends { readonly path: string }>(routes: readonly R[]): (pathname: string) => RouteMatch<R> | undefined {
  const byKey = new Map<string, R>();
  for (const route of routes) byKey.set(routeKey(route.path), route);
  return (pathname) => {
    const segments = matchSegments(pathname);
    let prefix = '';
    const prefixes: string[] = [];
    for (const s of segments) prefixes.push((prefix += `/${s}`));
    for (let n = segments.length; n >= 1; n--) {
      const route = byKey.get(prefixes[n - 1]!);
      if (route) return { route, rest: restAfter(pathname, n) };
    }
    return undefined;
  };
}

/** `pathname` from its n-th `/` on (the first n segments removed), as sent. */
function restAfter(pathname: string, n: number): string {
  let at = 0;
  for (let i = 0; i < n; i++) {
    at = pathname.indexOf('/', at + 1);
    if (at === -1) return '';
  }
  return pathname.slice(at);
}
