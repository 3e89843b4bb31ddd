import net from 'node:net';
import { getResponse, http, HttpResponse, type HttpHandler } from 'msw';
import { expect } from 'vitest';
import type { TestBff } from '../support/bff.ts';
import type { Browser } from '../support/browser.ts';
import type { MockIdp } from '../support/idp/index.ts';

/**
 * Shared tools of the security battery: raw-socket HTTP (for requests that fetch would normalise or
 * refuse to send), problem+json assertions, and a way to make the mock provider's token endpoint
 * say what an attacker would have it say.
 */

export interface RawResponse {
  status: number;
  /** Lower-cased names; every value kept. */
  headers: Map<string, string[]>;
  body: string;
}

/** Parses every response in `text` (pipelined responses included). Bodies: Content-Length, chunked, or to the end. */
export function parseResponses(text: string): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  for (let guard = 0; guard < 32 && at < text.length; guard++) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end === -1) break;
    const lines = text.slice(at, end).split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      const name = line.slice(0, i).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(i + 1).trim()]);
    }
    at = end + 4;
    let body = '';
    const length = headers.get('content-length')?.[0];
    if (headers.get('transfer-encoding')?.[0]?.toLowerCase() === 'chunked') {
      for (let chunks = 0; chunks < 10_000; chunks++) {
        const eol = text.indexOf('\r\n', at);
        if (eol === -1) break;
        const size = parseInt(text.slice(at, eol), 16);
        at = eol + 2;
        if (!(size > 0)) {
          at = text.indexOf('\r\n', at) + 2; // trailers end
          break;
        }
        body += text.slice(at, at + size);
        at += size + 2;
      }
    } else if (length !== undefined) {
      body = text.slice(at, at + Number(length));
      at += Number(length);
    } else if (status >= 200 && status !== 204 && status !== 304) {
      body = text.slice(at);
      at = text.length;
    }
    out.push({ status, headers, body });
  }
  return out;
}

/**
 * Writes `payload` byte for byte to `url`'s host and port and reads until the server closes (or
 * `waitMs` passes: a bound, not an expectation). Send `Connection: close` to make it prompt.
 */
export async function rawExchange(url: string, payload: string | Buffer, waitMs = 5_000): Promise<{ text: string; responses: RawResponse[] }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
  socket.destroy();
  const text = Buffer.concat(chunks).toString('latin1');
  return { text, responses: parseResponses(text) };
}

/** One request line + headers (+ body), CRLF-joined, `Connection: close` added. */
export function rawRequest(method: string, target: string, headerLines: string[], body = ''): string {
  return `${method} ${target} HTTP/1.1\r\n${[...headerLines, 'Connection: close'].map((l) => l + '\r\n').join('')}\r\n${body}`;
}

/** The header lines a signed-in SPA sends on /api: host, session cookie, X-CSRF. */
export function apiHeaderLines(b: Browser): string[] {
  return ['Host: localhost:3000', `Cookie: ${b.cookieHeader()}`, 'X-CSRF: 1'];
}

export async function signedIn(bff: TestBff): Promise<Browser> {
  const b = bff.browser();
  const res = await bff.signIn(b);
  expect(res.status).toBe(302);
  expect(b.jar.has(sessionCookieName(bff))).toBe(true);
  return b;
}

export function sessionCookieName(bff: TestBff): string {
  return bff.config.secureCookies ? '__Host-bff-session' : 'bff-session';
}

/** Whether the jar still holds any session chunk. */
export function hasSessionCookie(b: Browser): boolean {
  return [...b.jar.keys()].some((k) => /^(__Host-)?bff-session(\.\d+)?$/.test(k));
}

export async function problemOf(res: Response): Promise<{ code: string; status: number; detail?: string }> {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as { code: string; status: number; detail?: string };
}

export async function expectProblem(res: Response, status: number, code: string): Promise<void> {
  expect(res.status).toBe(status);
  expect((await problemOf(res)).code).toBe(code);
}

export function rawProblemCode(r: RawResponse): string | undefined {
  if (!r.body) return undefined;
  return (JSON.parse(r.body) as { code?: string }).code;
}

export async function sessionInfo(b: Browser, cookie?: string): Promise<{ authenticated: boolean; user?: Record<string, unknown>; logoutUrl?: string }> {
  const res = await b.get('/auth/session', cookie === undefined ? {} : { cookie });
  expect(res.status).toBe(200);
  return (await res.json()) as { authenticated: boolean; user?: Record<string, unknown>; logoutUrl?: string };
}

/**
 * Puts a handler in front of the provider's token endpoint that lets the real one answer, then
 * rewrites its JSON (an attacker-controlled or broken provider). Returns a function that removes it.
 * The BFF resolves provider calls through `idp.handlers` by reference, so this takes effect at once.
 */
export function rewriteTokenResponses(
  idp: MockIdp,
  rewrite: (body: Record<string, unknown>, grantType: string | null) => Response | Record<string, unknown> | Promise<Response | Record<string, unknown>>,
): () => void {
  const real = [...idp.handlers];
  const handler: HttpHandler = http.post(`${idp.issuer}/token`, async ({ request }) => {
    const form = new URLSearchParams(await request.clone().text());
    const answer = await getResponse(real, request);
    if (!answer) throw new Error('the mock provider did not answer the token request');
    const body = (await answer.clone().json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!body || !answer.ok) return answer;
    const rewritten = await rewrite(body, form.get('grant_type'));
    return rewritten instanceof Response ? rewritten : HttpResponse.json(rewritten, { headers: { 'cache-control': 'no-store' } });
  });
  idp.handlers.unshift(handler);
  return () => {
    const i = idp.handlers.indexOf(handler);
    if (i !== -1) idp.handlers.splice(i, 1);
  };
}

/** Polls `cond` every 5 ms for at most `ms`. */
export async function waitFor(cond: () => boolean, ms = 3_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 5));
  }
}
