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
  /** Tokens shared by every instance (bff/state/shared-client-tokens.ts); failures there fall back to the grant. */
  readonly shared?: SharedClientTokens;
}

/** A token and when to replace it, as kept in the cache here and on the shared store. */
export interface CachedClientToken { readonly token: ClientToken; readonly renewAt: number }

export interface SharedClientTokens {
  get(key: string): Promise<CachedClientToken | undefined>;
  set(key: string, entry: CachedClientToken): Promise<void>;
}

export function createClientCredentials(grant: ClientCredentialsGrant, options: ClientCredentialsOptions) {
  const now = options.now ?? Date.now;
  // Keys come from the routes table (each route's scope and resource), so the map is bounded by it.
  const cached = new Map<string, CachedClientToken>();
  const shared = options.shared;
  const inFlight = new Map<string, Promise<ClientToken>>();

  function keyOf(p: ClientCredentialsParams): string {
    return JSON.stringify([p.scope ?? '', p.resource ?? '']);
  }

  /** The token for these parameters, from the cache or from one grant shared by every concurrent caller. */
  function clientToken(params: ClientCredentialsParams): Promise<ClientToken> {
    const key = keyOf(params);
    const hit = cached.get(key);
    if (hit && now() / 1000 < hit.renewAt) return Promise.resolve(hit.token);
    return singleFlight(inFlight, key, async () => {
      const other = shared && (await shared.get(key).catch(() => undefined));
      if (other && now() / 1000 < other.renewAt) {
        cached.set(key, other);
        return other.token;
      }
      const issuedAt = now() / 1000;
      const token = await grant(params);
      const lifetime = token.expiresAt - issuedAt;
      const entry = { token, renewAt: token.expiresAt - Math.min(options.skewS, lifetime / 2) };
      cached.set(key, entry);
      if (shared) await shared.set(key, entry).catch(() => undefined);
      return token;
    });
  }

  return { clientToken };
}

export type ClientCredentials = ReturnType<typeof createClientCredentials>;
