import { createServer } from 'node:net';

/**
 * A free loopback port. Needed where a URL must be known before its server starts: the provider
 * registers every callback URL at start-up, and the issuer's port is only known after it listens.
 */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
