/**
 * Cookies as a browser keeps them, small enough for tests and the benchmark: per host and path
 * (the BFF, the provider and the peer are different ports of one machine; the provider scopes its
 * interaction cookie to a path), deletion by `Max-Age=0`, a past `Expires` or an empty value.
 * Domain, Secure and SameSite are ignored: everything here talks to loopback.
 */
export interface SetCookie {
  name: string;
  value: string;
  /** The `Path` attribute, when the cookie names one. */
  path: string | undefined;
  expired: boolean;
}

/** One `Set-Cookie` line, or undefined when it has no `name=`. */
export function parseSetCookie(line: string): SetCookie | undefined {
  const [pair = '', ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const value = pair.slice(eq + 1).trim();
  let path: string | undefined;
  let expired = value === '';
  for (const attribute of attributes) {
    const i = attribute.indexOf('=');
    const key = (i === -1 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const val = i === -1 ? '' : attribute.slice(i + 1).trim();
    if (key === 'path' && val.startsWith('/')) path = val;
    if (key === 'max-age' && Number(val) <= 0) expired = true;
    if (key === 'expires' && Date.parse(val) <= Date.now()) expired = true;
  }
  return { name: pair.slice(0, eq).trim(), value, path, expired };
}

interface Stored {
  name: string;
  value: string;
  path: string;
}

export class CookieJar {
  readonly #byHost = new Map<string, Map<string, Stored>>();

  /** Remembers the `Set-Cookie` lines of a response to a request for `url`. */
  store(url: URL, setCookies: readonly string[]): void {
    let cookies = this.#byHost.get(url.host);
    if (!cookies) this.#byHost.set(url.host, (cookies = new Map()));
    for (const line of setCookies) {
      const c = parseSetCookie(line);
      if (!c) continue;
      // RFC 6265 §5.1.4: without a Path attribute, the directory of the request path.
      const path = c.path ?? (url.pathname.replace(/\/[^/]*$/, '') || '/');
      const key = `${c.name};${path}`;
      if (c.expired) cookies.delete(key);
      else cookies.set(key, { name: c.name, value: c.value, path });
    }
  }

  /** The Cookie header for a request to `url` (longest paths first, as browsers send them), or ''. */
  header(url: URL): string {
    return [...(this.#byHost.get(url.host)?.values() ?? [])]
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /** fetch with the jar's cookies, not following redirects; stores the response's cookies. */
  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, res.headers.getSetCookie());
    return res;
  }
}
