import { getResponse, http, HttpResponse, type HttpHandler } from 'msw';
import { expect } from 'vitest';
import type { TestBff } from '../support/bff.ts';
import type { Browser } from '../support/browser.ts';
import type { MockIdp } from '../support/idp/index.ts';
import type { RawResponse } from '../support/raw-http.ts';

/**
 * Shared tools of the security battery: raw-socket HTTP (for requests that fetch would normalise or
 * refuse to send), problem+json assertions, and a way to make the mock provider's token endpoint
 * say what an attacker would have it say.
 */

export { parseResponses, rawExchange, rawRequest, type RawResponse } from '../support/raw-http.ts';
export { waitFor } from '../support/wait.ts';

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
