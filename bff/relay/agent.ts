import http from 'node:http';
import https from 'node:https';

/**
 * The relay's connection pool to the upstream: keep-alive, LIFO (the most recently used socket is
 * the least likely to have been closed by the upstream's idle timeout), up to `maxSockets`
 * concurrent connections. Idle sockets are closed after 30 s, or 1 s before the upstream's own
 * `Keep-Alive: timeout=…` hint (node applies the hint only when the agent has a timeout).
 */
export function createUpstreamAgent(upstreamUrl: URL, maxSockets = 256): http.Agent | https.Agent {
  const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const, timeout: 30_000 };
  return upstreamUrl.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}
