import type { ServerResponse } from 'node:http';

/**
 * Cookie plumbing without a library: the hot path parses the Cookie header once per request and
 * only keeps our own names.
 */
export interface CookieAttributes {
  secure: boolean;
  sameSite: 'Strict' | 'Lax';
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

/** Browsers cap name + value at 4096 bytes; the serialized Set-Cookie must stay under it too. */
export const MAX_COOKIE_BYTES = 4096;

export function parseCookies(header: string | undefined, wanted: (name: string) => boolean): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const name = header.slice(start, eq).trim();
      // First occurrence wins (RFC 6265 §5.4 orders more specific paths first).
      if (wanted(name) && !out.has(name)) out.set(name, header.slice(eq + 1, end).trim());
    }
    start = end + 1;
  }
  return out;
}

export function serializeCookie(name: string, value: string, a: CookieAttributes): string {
  let s = `${name}=${value}; Path=/; HttpOnly; SameSite=${a.sameSite}; Max-Age=${a.maxAge}`;
  if (a.maxAge === 0) s += '; Expires=Thu, 01 Jan 1970 00:00:00 GMT';
  if (a.secure) s += '; Secure';
  return s;
}

/** Adds Set-Cookie lines without dropping ones another step already set on this response. */
export function appendSetCookie(res: ServerResponse, lines: string[]): void {
  if (lines.length === 0) return;
  const prev = res.getHeader('set-cookie');
  const existing = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  res.setHeader('set-cookie', [...existing, ...lines]);
}
