import type { Server } from 'node:http';

// Listen/close helpers shared by the demo provider and the demo API.

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Stop accepting connections and drop the open ones right away: keep-alive sockets (browsers,
 * undici's pool in the BFF) would otherwise hold `close()` for the keep-alive timeout.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
