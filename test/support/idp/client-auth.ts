import { timingSafeEqual } from 'node:crypto';
import { findClient } from './context.ts';
import type { IdpContext } from './context.ts';
import type { MockClient } from './types.ts';
import { oauthError } from './responses.ts';

/** Undoes the form-urlencoding RFC 6749 §2.3.1 applies to id and secret before base64. */
function formUrlDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function basicCredentials(header: string | null): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    return { id: formUrlDecode(decoded.slice(0, colon)), secret: formUrlDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined; // malformed percent-encoding
  }
}

function secretMatches(client: MockClient, secret: string): boolean {
  const a = Buffer.from(client.client_secret);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Authenticates the client by `client_secret_basic` or `client_secret_post`.
 * Returns the client, or the error response to send.
 * @see RFC 6749 §2.3.1
 * @see RFC 6749 §5.2 (invalid_client, 401 with WWW-Authenticate when the header was used)
 */
export function authenticateClient(ctx: IdpContext, request: Request, form: URLSearchParams): MockClient | Response {
  const header = request.headers.get('authorization');
  const basic = basicCredentials(header);
  const postSecret = form.get('client_secret');
  if (header !== null && postSecret !== null) return oauthError('invalid_request', 'use exactly one client authentication method');

  const challenge = { 'WWW-Authenticate': 'Basic realm="token", error="invalid_client"' };
  if (header !== null) {
    const client = basic && findClient(ctx, basic.id);
    const bodyId = form.get('client_id');
    if (!basic || !client || !secretMatches(client, basic.secret) || (bodyId !== null && bodyId !== basic.id)) {
      return oauthError('invalid_client', 'client authentication failed', 401, challenge);
    }
    return client;
  }
  const client = findClient(ctx, form.get('client_id'));
  if (!client || postSecret === null || !secretMatches(client, postSecret)) {
    return oauthError('invalid_client', 'client authentication failed', 401);
  }
  return client;
}
