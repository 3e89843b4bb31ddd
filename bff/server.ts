import { createServer, type Server } from 'node:http';
import type { Config } from './config.ts';
import { createApp, type AppDeps } from './app.ts';

/** Limits every request meets before any of our code runs (see docs/SECURITY.md). */
export const SERVER_LIMITS = {
  /** Room for a 5-chunk session cookie plus ordinary headers. */
  maxHeaderSize: 32 * 1024,
  /** The whole request must arrive within this; streaming uploads get the relay's own timeout instead. */
  headersTimeout: 20_000,
  requestTimeout: 0,
  keepAliveTimeout: 65_000,
};

export interface RunningBff {
  server: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish for up to `graceMs`, then closes what is left. */
  shutdown(graceMs?: number): Promise<void>;
}

/** Listens on config.host:config.port (0 picks a free port). Rejects with EADDRINUSE and friends. */
export async function listen(config: Config, deps: AppDeps): Promise<RunningBff> {
  const app = createApp(config, deps);
  const server = createServer(
    { maxHeaderSize: SERVER_LIMITS.maxHeaderSize, headersTimeout: SERVER_LIMITS.headersTimeout, requestTimeout: SERVER_LIMITS.requestTimeout, keepAliveTimeout: SERVER_LIMITS.keepAliveTimeout },
    app.handle,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  void app.warmUp();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  async function shutdown(graceMs = 10_000): Promise<void> {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
    app.close();
  }

  return { server, url: `http://${host}:${port}`, shutdown };
}
