import { HttpResponse } from 'msw';

/** Token responses and errors must never be cached. @see RFC 6749 §5.1 */
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/** A JSON body from an OAuth endpoint. */
export function oauthJson(body: Record<string, unknown>, status = 200, headers: Record<string, string> = {}): Response {
  return HttpResponse.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/**
 * An OAuth error response.
 * @see RFC 6749 §5.2
 */
export function oauthError(error: string, error_description: string, status = 400, headers: Record<string, string> = {}): Response {
  return oauthJson({ error, error_description }, status, headers);
}

/** A 302 to `location`, as a browser-facing endpoint answers. */
export function redirectTo(location: URL): Response {
  return new HttpResponse(null, { status: 302, headers: { Location: location.href, 'Cache-Control': 'no-store' } });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * The page a provider shows when it must not redirect (unknown client, unregistered redirect URI).
 * @see RFC 6749 §4.1.2.1
 */
export function errorPage(message: string, status = 400): Response {
  return HttpResponse.html(`<!doctype html><title>Error</title><h1>${escapeHtml(message)}</h1>`, { status });
}

/** Parses an `application/x-www-form-urlencoded` body; anything else is refused as OAuth requires. */
export async function readForm(request: Request): Promise<URLSearchParams | undefined> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) return undefined;
  return new URLSearchParams(await request.text());
}
