import { parseSetCookie } from './cookie-jar.ts';

/**
 * A minimal browser stand-in for HTTP-level tests: a cookie jar (name → value, honouring Max-Age=0)
 * and fetch with manual redirects against one base URL.
 */
type Init = Omit<RequestInit, 'headers'> & { headers?: Record<string, string> };

export class Browser {
  readonly jar = new Map<string, string>();
  constructor(readonly base: string, readonly defaults: Record<string, string> = {}) {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Raw Set-Cookie lines of the last response, for attribute assertions. */
  lastSetCookies: string[] = [];

  async request(path: string, init: Init = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.defaults, ...init.headers };
    if (this.jar.size > 0 && headers.cookie === undefined) headers.cookie = this.cookieHeader();
    const res = await fetch(new URL(path, this.base), { ...init, headers, redirect: 'manual' });
    this.lastSetCookies = res.headers.getSetCookie();
    for (const line of this.lastSetCookies) this.store(line);
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { headers });
  }

  /** An `/api` call as the SPA makes it. */
  api(path: string, init: Init = {}): Promise<Response> {
    return this.request(path, { ...init, headers: { 'x-csrf': '1', ...init.headers } });
  }

  private store(line: string): void {
    const c = parseSetCookie(line);
    if (!c) return;
    if (c.expired) this.jar.delete(c.name);
    else this.jar.set(c.name, c.value);
  }
}

export function location(res: Response): URL {
  const loc = res.headers.get('location');
  if (!loc) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(loc, 'http://localhost:3000');
}
