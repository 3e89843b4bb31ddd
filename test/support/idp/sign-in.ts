import type { MockIdp } from './types.ts';

/** `name=value` of each Set-Cookie that sets a value (a deletion, `Max-Age=0`, is dropped). */
function cookiesOf(response: Response, jar: Map<string, string>): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    if (/;\s*max-age=0\s*(;|$)/i.test(line) || pair.slice(eq + 1) === '') jar.delete(name);
    else jar.set(name, pair.slice(eq + 1));
  }
}

/**
 * Signs a user in through a running BFF (`bffUrl`, any origin its callback can be reached at) the
 * way a browser would: `/auth/login` → the mock provider's authorize endpoint → `/auth/callback`.
 * Resolves to the `Cookie` header the browser would then send; add `X-CSRF: 1` to call `/api/*`
 * or a `requireUser()` route with it.
 */
export async function signInThrough(idp: MockIdp, bffUrl: string, returnTo?: string): Promise<{ cookie: string }> {
  const jar = new Map<string, string>();
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const start = new URL(returnTo === undefined ? '/auth/login' : `/auth/login?returnTo=${encodeURIComponent(returnTo)}`, bffUrl);
  const login = await fetch(start, { redirect: 'manual' });
  const authorizeAt = login.headers.get('location');
  if (login.status !== 302 || authorizeAt === null) throw new Error(`signInThrough: /auth/login answered ${login.status}, not a redirect to the provider`);
  cookiesOf(login, jar);
  const callback = await idp.authorize(authorizeAt);
  const done = await fetch(new URL(callback.pathname + callback.search, bffUrl), { redirect: 'manual', headers: { cookie: header() } });
  if (done.status !== 302) throw new Error(`signInThrough: /auth/callback answered ${done.status}: ${await done.text()}`);
  cookiesOf(done, jar);
  return { cookie: header() };
}
