import type { AddressInfo } from 'node:net';
import { createServer, type ViteDevServer } from 'vite';
import { ConfigError, readEnvironment } from '../bff/config.ts';
import { onShutdownSignal } from '../bff/standalone.ts';
import { providerConfigured } from '../bff/options/file.ts';
import { freePort, startEmbeddedStack } from './stack.ts';
import { devPortOf, devServerBanner, portTakenMessage } from './dev-messages.ts';

/**
 * `npm run dev`: Vite with hot reload on DEV_PORT, plus the embedded stack when no provider is
 * configured (with OIDC_ISSUER or the config file's providers, a BFF you run yourself at BFF_DEV_TARGET). The browser talks
 * only to Vite's origin, which proxies the BFF's routes, so the BFF's public URL is Vite's.
 *
 * Vite listens first: a taken DEV_PORT stops everything before a provider registers a redirect URI
 * for a port we would not serve, and the port Vite actually serves is the one the provider learns.
 */
const env = readEnvironment();
const fail = (message: string): never => {
  console.error(message);
  process.exit(1);
};

const devPort = devPortOf(env.DEV_PORT) ?? fail(`DEV_PORT: must be a port number (1–65535), got ${JSON.stringify(env.DEV_PORT)}`);
const embedded = !providerConfigured(env, process.cwd());
let bffPort = 0;
if (embedded) {
  bffPort = Number(env.PORT || 3000);
  if (bffPort === 0) bffPort = await freePort(env.HOST || '127.0.0.1');
  process.env.BFF_DEV_TARGET = `http://127.0.0.1:${bffPort}`;
} else {
  // vite.config.ts reads the process environment; a value from .env must reach it too.
  process.env.BFF_DEV_TARGET = env.BFF_DEV_TARGET || 'http://127.0.0.1:3000';
}
process.env.DEV_PORT = String(devPort);

let vite: ViteDevServer;
try {
  vite = await createServer({ configFile: 'vite.config.ts', server: { port: devPort, strictPort: true } });
  await vite.listen();
} catch (err) {
  const e = err as { code?: string; message?: string };
  if (e.code === 'EADDRINUSE' || /port .* is already in use/i.test(e.message ?? '')) fail(portTakenMessage(devPort));
  throw err;
}
onShutdownSignal(() => vite.close());
const served = (vite.httpServer?.address() as AddressInfo | null)?.port ?? devPort;
const devOrigin = `http://localhost:${served}`;

if (embedded) {
  try {
    const stack = await startEmbeddedStack({ ...env, PORT: String(bffPort), BFF_PUBLIC_URL: env.BFF_PUBLIC_URL || devOrigin });
    onShutdownSignal(() => stack.close());
    console.log(devServerBanner({ devOrigin, provider: stack.provider.issuer, api: stack.api.url, bff: stack.bff.url }));
  } catch (err) {
    await vite.close();
    const e = err as { code?: string; port?: number; message?: string };
    if (err instanceof ConfigError) fail(err.message);
    if (e.code === 'EADDRINUSE') fail(`Port ${e.port ?? ''} is already in use: stop the other process, or set PORT / DEMO_PROVIDER_PORT / DEMO_API_PORT.`);
    fail(`Could not start the embedded default: ${e.message ?? String(err)}`);
  }
} else {
  console.log(devServerBanner({ devOrigin, bff: process.env.BFF_DEV_TARGET }));
}
