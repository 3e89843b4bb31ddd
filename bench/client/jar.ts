/**
 * A small cookie jar for walking sign-in flows with fetch: cookies are kept per host (the BFF,
 * the peer and the provider are different ports of localhost) and per name; Max-Age=0 deletes.
 * Paths, Secure and SameSite do not matter for these flows and are ignored.
 */
export class Jar {
  readonly #byHost = new Map<string, Map<string, string>>();

  store(url: URL, setCookies: readonly string[]): void {
    let cookies = this.#byHost.get(url.host);
    if (!cookies) this.#byHost.set(url.host, (cookies = new Map()));
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const deleted = value === '' || attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (deleted) cookies.delete(name);
      else cookies.set(name, value);
    }
  }

  /** The Cookie header for `host` (`127.0.0.1:1234`), or '' when there is none. */
  header(host: string): string {
    return [...(this.#byHost.get(host) ?? [])].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** fetch without following redirects, sending and storing this jar's cookies. */
  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url.host);
    if (cookie) headers.set('cookie', cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, res.headers.getSetCookie());
    return res;
  }
}
