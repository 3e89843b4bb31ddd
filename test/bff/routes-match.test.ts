import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BadPath } from '../../bff/errors.ts';
import { createRouteMatcher, isRoutePath } from '../../bff/routes/match.ts';

/**
 * The oracle reads a path the way a lenient upstream would (decoding, case-folding, stripping
 * `;params`) and then tries every route by hand; the matcher must pick exactly the route it picks,
 * and refuse exactly the paths whose decoding changes an unreserved character.
 */
type Verdict = { route: { path: string }; rest: string } | undefined | 'refused';

function oracle(routes: readonly { path: string }[], pathname: string): Verdict {
  const decodesUnreserved = [...pathname.matchAll(/%([0-9a-fA-F]{2})/g)].some((m) => /[A-Za-z0-9._~-]/.test(String.fromCharCode(parseInt(m[1]!, 16))));
  if (decodesUnreserved) return 'refused';
  const read = pathname
    .split('/')
    .map((s) => s.split(';')[0]!.toLowerCase())
    .join('/')
    .replace(/(.)\/$/, '$1');
  let best: { path: string } | undefined;
  for (const route of routes) {
    const p = route.path.toLowerCase();
    const hit = read === p || read.startsWith(`${p}/`);
    if (hit && (!best || route.path.length > best.path.length)) best = route;
  }
  if (!best) return undefined;
  // The rest is the raw path minus as many raw segments as the route has.
  const n = best.path.split('/').length - 1;
  const raw = pathname.split('/');
  return { route: best, rest: raw.length - 1 > n ? `/${raw.slice(n + 1).join('/')}` : '' };
}

function judge(routes: readonly { path: string }[], pathname: string): Verdict {
  try {
    return createRouteMatcher(routes)(pathname);
  } catch (err) {
    if (err instanceof BadPath) return 'refused';
    throw err;
  }
}

const ROUTE_SEGMENTS = ['notes', 'Notes', 'n', 'notesx', 'a', 'b-c', 'v1'];
const REQUEST_SEGMENTS = [...ROUTE_SEGMENTS, 'NOTES', 'notes;x=1', 'no%74es', '%6Eotes', 'n%20x', 'caf%C3%A9', '7', '', 'a;', 'A'];

const routeSet = fc
  .uniqueArray(fc.array(fc.constantFrom(...ROUTE_SEGMENTS), { maxLength: 3 }).map((s) => ['/api', ...s].join('/')), {
    maxLength: 8,
    selector: (p) => p.toLowerCase(),
  })
  .map((paths) => paths.map((path) => ({ path })));
const requestPath = fc.array(fc.constantFrom(...REQUEST_SEGMENTS), { minLength: 0, maxLength: 4 }).map((s) => ['/api', ...s].join('/'));

describe('route matching', () => {
  it('picks the same route as a brute-force oracle over random route sets and paths', () => {
    fc.assert(
      fc.property(routeSet, requestPath, (routes, pathname) => {
        expect(judge(routes, pathname)).toEqual(oracle(routes, pathname));
      }),
      { numRuns: 5000 },
    );
  });

  it('matches on segment boundaries only, longest prefix first', () => {
    const routes = [{ path: '/api' }, { path: '/api/notes' }, { path: '/api/notes/archive' }];
    const match = createRouteMatcher(routes);
    expect(match('/api/notes')).toEqual({ route: routes[1], rest: '' });
    expect(match('/api/notes/')).toEqual({ route: routes[1], rest: '/' });
    expect(match('/api/notes/7')).toEqual({ route: routes[1], rest: '/7' });
    expect(match('/api/notesx')).toEqual({ route: routes[0], rest: '/notesx' });
    expect(match('/api/notes/archive/1')).toEqual({ route: routes[2], rest: '/1' });
    expect(match('/api/notes/archived')).toEqual({ route: routes[1], rest: '/archived' });
    expect(match('/api')).toEqual({ route: routes[0], rest: '' });
  });

  it('answers no route when nothing matches (the relay turns that into 404 not_found)', () => {
    const match = createRouteMatcher([{ path: '/api/notes' }]);
    expect(match('/api/notesx')).toBeUndefined();
    expect(match('/api')).toBeUndefined();
    expect(match('/api/catalog/notes')).toBeUndefined();
  });

  it('cannot be dodged by case, path parameters or encoding (a requirement on /api/admin holds for every spelling)', () => {
    const routes = [{ path: '/api' }, { path: '/api/admin' }];
    const match = createRouteMatcher(routes);
    expect(match('/api/ADMIN/users')).toEqual({ route: routes[1], rest: '/users' });
    expect(match('/api/admin;jsessionid=1/users')).toEqual({ route: routes[1], rest: '/users' });
    expect(() => match('/api/%61dmin')).toThrow(BadPath);
    expect(() => match('/api/adm%69n')).toThrow(BadPath);
    expect(() => match('/api/admin%2D')).toThrow(BadPath);
    // Encoded bytes that are not unreserved characters are data, and never equal a route segment.
    expect(match('/api/admin%20')?.route).toBe(routes[0]);
  });

  it('accepts only /api paths of unreserved characters as route paths', () => {
    for (const ok of ['/api', '/api/notes', '/api/v1/notes-2', '/api/a_b/~c']) expect(isRoutePath(ok), ok).toBe(true);
    for (const bad of ['', '/', 'api', '/apix', '/api/', '/api//x', '/api/../x', '/api/./x', '/api/a b', '/api/%61', '/api/a;b', '/API', '/api/a?x', '/api/ü'])
      expect(isRoutePath(bad), bad).toBe(false);
  });
});
