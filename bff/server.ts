import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { MethodNotAllowed, toProblem } from './errors.ts';
import { RELAYABLE_METHODS } from './relay/path.ts';
import { PROBLEM_CONTENT_TYPE } from '../shared/problem.ts';
import type { Config } from './config.ts';
import { createApp, type AppDeps } from './app.ts';
import { withAccessLog } from './http/access-log.ts';
import { startMetrics } from './http/metrics-server.ts';
import { answerAsPlainRequest, isWebSocketUpgrade } from './http/plain-upgrade.ts';

/** Limits every request meets before any of our code runs (see docs/SECURITY.md). */
export const SERVER_LIMITS = {
  /** Room for a 5-chunk session cookie plus ordinary headers. */
  maxHeaderSize: 32 * 1024,
  /** The whole request must arrive within this; streaming uploads get the relay's own timeout instead. */
  headersTimeout: 20_000,
  requestTimeout: 0,
  keepAliveTimeout: 65_000,
};

/**
 * Node hands CONNECT to this event, never to the request handler; without a listener it just drops
 * the socket. The BFF is no forward proxy: answer 405 like the relay does for TRACE.
 */
function refuseConnect(_req: IncomingMessage, socket: Duplex): void {
  const { headers: _headers, ...problem } = toProblem(new MethodNotAllowed(RELAYABLE_METHODS));
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\nallow: ${RELAYABLE_METHODS}\r\n` +
      `cache-control: no-store\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

export interface RunningBff {
  server: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes what is left. */
  shutdown(graceMs?: number): Promise<void>;
}

/** Listens on config.host:config.port (0 picks a free port). Rejects with EADDRINUSE and friends. */
export async function listen(config: Config, deps: AppDeps): Promise<RunningBff> {
  // METRICS_PORT: the instruments and their own loopback listener, before the public port opens.
  const metricsEndpoint = deps.metrics ? undefined : await startMetrics(config);
  const app = createApp(config, { ...deps, ...(metricsEndpoint ? { metrics: metricsEndpoint.metrics } : {}) });
  const listener = withAccessLog(deps.log, app.handle);
  const server = createServer(
    { maxHeaderSize: SERVER_LIMITS.maxHeaderSize, headersTimeout: SERVER_LIMITS.headersTimeout, requestTimeout: SERVER_LIMITS.requestTimeout, keepAliveTimeout: SERVER_LIMITS.keepAliveTimeout },
    listener,
  );
  server.on('connect', refuseConnect);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isWebSocketUpgrade(req)) app.upgrade(req, socket, head);
    else answerAsPlainRequest(req, socket, listener);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await metricsEndpoint?.close();
    throw err;
  });
  void app.warmUp();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  async function shutdown(graceMs = 10_000): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    app.closeWebSockets();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
    app.close();
    await metricsEndpoint?.close();
  }

  return { server, url: `http://${host}:${port}`, shutdown };
}
