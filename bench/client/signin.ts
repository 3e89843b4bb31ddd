import { CookieJar } from '../../test/support/cookie-jar.ts';

const MAX_HOPS = 20;

/** Every server binds 127.0.0.1 while the URLs say `localhost` (the issuer does): skip name resolution. */
export function loopback(url: URL): URL {
  const out = new URL(url);
  if (out.hostname === 'localhost') out.hostname = '127.0.0.1';
  return out;
}

export interface SignedIn {
  jar: CookieJar;
  /** The Cookie header the app expects from now on. */
  cookie: string;
  /** The last response's status and body (the BFF's /auth/session when returnTo points there). */
  status: number;
  body: string;
}

/**
 * Signs in as `username` the way a browser would, with plain fetch: start at the app's login
 * route, follow every redirect, submit the provider's login form once (consent is auto-granted),
 * and stop at the first non-redirect answer from the app's own origin.
 */
export async function signIn(loginUrl: URL, username = 'alice'): Promise<SignedIn> {
  const jar = new CookieJar();
  const appHost = loopback(loginUrl).host;
  let url = loopback(loginUrl);
  let posted = false;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const res = await jar.fetch(url);
    const body = await res.text();
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = loopback(new URL(location, url));
      continue;
    }
    if (url.host === appHost) return { jar, cookie: jar.header(url), status: res.status, body };
    const action = /<form[^>]*\saction="([^"]+)"/i.exec(body)?.[1];
    if (res.status !== 200 || !action || posted) throw new Error(`sign-in stuck at ${url.pathname}: ${res.status} ${body.slice(0, 200)}`);
    posted = true;
    const form = loopback(new URL(action.replaceAll('&amp;', '&'), url));
    const answer = await jar.fetch(form, { method: 'POST', body: new URLSearchParams({ username }) });
    await answer.text();
    const next = answer.headers.get('location');
    if (!next) throw new Error(`login form answered ${answer.status} without a redirect`);
    url = loopback(new URL(next, form));
  }
  throw new Error(`sign-in took more than ${MAX_HOPS} redirects`);
}
