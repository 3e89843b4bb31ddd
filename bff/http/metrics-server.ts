import { createServer, type Server } from 'node:http';
import type { Config } from '../config.ts';
import { createMetrics, NO_METRICS, type Metrics } from '../metrics.ts';

export interface MetricsEndpoint {
  readonly metrics: Metrics;
  /** `http://host:port/metrics`, or undefined when metrics are off. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

/**
 * With `METRICS_PORT`, the instruments and their own listener serving `GET /metrics` on
 * `METRICS_HOST` (loopback by default): never the public port, so the internet cannot read
 * them. Without it, no-op instruments and no listener.
 */
export async function startMetrics(config: Pick<Config, 'metrics'>): Promise<MetricsEndpoint> {
  const { port, host } = config.metrics;
  if (port === undefined) return { metrics: NO_METRICS, url: undefined, close: () => Promise.resolve() };
  const metrics = await createMetrics();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: GET /metrics\n');
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    metrics,
    url: `http://${shown}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
