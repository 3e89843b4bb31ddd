import { Pool, type Dispatcher } from 'undici';

/** The relay's connection pool to one upstream origin (undici's Pool). */
export type UpstreamPool = Dispatcher;

/**
 * The relay's connection pool to the upstream: undici's Pool, keep-alive, up to `maxSockets`
 * connections, no pipelining. Idle connections are closed after 30 s, or 1 s before the upstream's
 * own `Keep-Alive: timeout=…` hint. undici's own header and body timeouts are off: the relay's
 * clocks (exchange.ts) measure from the end of the upload, tell a pool wait from a slow upstream,
 * and see a browser that stopped reading, which undici's cannot.
 */
export function createUpstreamAgent(upstreamUrl: URL, maxSockets = 256, tls?: { ca?: string | Buffer }): UpstreamPool {
  return new Pool(upstreamUrl.origin, {
    connections: maxSockets,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 30_000,
    keepAliveTimeoutThreshold: 1_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(tls ? { connect: tls } : {}),
  });
}
