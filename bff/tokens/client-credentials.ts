import { singleFlight } from './single-flight.ts';

/**
 * The BFF's own access tokens (RFC 6749 §4.4 client credentials grant), per (`scope`, RFC 8707
 * `resource`) pair: cached until shortly before they expire, and fetched once for any number of
 * concurrent requests. A failed grant is not cached, so the next request tries again.
 * They never reach a browser: only the relay puts them in an upstream `Authorization` header.
 */

export interface ClientCredentialsParams {
  readonly scope?: string | undefined;
  readonly resource?: string | undefined;
}

export interface ClientToken {
  readonly accessToken: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** Performs the grant at the provider (injected: openid-client in the app, a fake in tests). */
export type ClientCredentialsGrant = (params: ClientCredentialsParams) => Promise<ClientToken>;

export interface ClientCredentialsOptions {
  /** A token is replaced this many seconds before it expires (and never used past half its life when shorter). */
  readonly skewS: number;
  /** Epoch milliseconds. */
  readonly now?: () => number;
}

export function createClientCredentials(grant: ClientCredentialsGrant, options: ClientCredentialsOptions) {
  const now = options.now ?? Date.now;
  // Keys come from the routes table (each route's scope and resource), so the map is bounded by it.
  const cached = new Map<string, { token: ClientToken; renewAt: number }>();
  const inFlight = new Map<string, Promise<ClientToken>>();

  function keyOf(p: ClientCredentialsParams): string {
    return JSON.stringify([p.scope ?? '', p.resource ?? '']);
  }

  /** The token for these parameters, from the cache or from one grant shared by every concurrent caller. */
  function clientToken(params: ClientCredentialsParams): Promise<ClientToken> {
    const key = keyOf(params);
    const hit = cached.get(key);
    if (hit && now() / 1000 < hit.renewAt) return Promise.resolve(hit.token);
    return singleFlight(inFlight, key, () => {
      const issuedAt = now() / 1000;
      return grant(params).then((token) => {
        const lifetime = token.expiresAt - issuedAt;
        cached.set(key, { token, renewAt: token.expiresAt - Math.min(options.skewS, lifetime / 2) });
        return token;
      });
    });
  }

  return { clientToken };
}

export type ClientCredentials = ReturnType<typeof createClientCredentials>;
