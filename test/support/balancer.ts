import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny round-robin load balancer on loopback: request i goes to backend i mod n, nothing sticky
 * (what a deployment without sticky sessions does). Backends are set after it listens, since the
 * BFFs behind it need its origin as their public URL.
 */
export async function startBalancer() {
  let backends: string[] = [];
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const target = new URL(req.url!, backends[next++ % backends.length]);
    const upstream = http.request(target, { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set backends(urls: string[]) {
      backends = urls;
    },
    close: () =>
      new Promise<void>((r) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
