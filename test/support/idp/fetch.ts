import { getResponse, type RequestHandler } from 'msw';
import type { CustomFetch } from 'openid-client';

/**
 * A fetch that answers from msw handlers without patching globals: give it to the BFF
 * (`createBff({ fetch })`) so only the BFF's calls to the provider are faked, and any request no
 * handler answers fails the test loudly (`unhandled` lists them). `issuedTokens` keeps every token
 * the provider handed out, so a test can prove none of them reaches a browser.
 */
export function fetchFromHandlers(handlers: RequestHandler[] | (() => RequestHandler[])) {
  const unhandled: string[] = [];
  const issuedTokens: string[] = [];
  const fetchImpl = async (input: string, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    // A function: read at each request, so handlers a test prepends later (to several providers) count.
    const response = await getResponse(typeof handlers === 'function' ? handlers() : handlers, request);
    if (!response) {
      unhandled.push(`${request.method} ${request.url}`);
      throw new TypeError(`no mock handler for ${request.method} ${request.url}`);
    }
    // HttpResponse.error() stands for a network failure, which fetch reports as a TypeError.
    if (response.type === 'error') throw new TypeError('fetch failed');
    if (request.url.endsWith('/token')) {
      // Keep every token the provider hands out, so tests can prove none of them leaks.
      const body = (await response.clone().json().catch(() => ({}))) as Record<string, unknown>;
      for (const k of ['access_token', 'refresh_token', 'id_token']) if (typeof body[k] === 'string') issuedTokens.push(body[k]);
    }
    return response;
  };
  return { fetch: fetchImpl as CustomFetch, request: fetchImpl, unhandled, issuedTokens };
}
