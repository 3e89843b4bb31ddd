import { createServer } from 'vite';
import { readEnvironment } from '../bff/config.ts';
import { onShutdownSignal } from '../bff/main.ts';
import { startEmbeddedStack, VITE_DEV_ORIGIN } from './stack.ts';

/**
 * `npm run dev`: the embedded stack (or nothing extra when OIDC_ISSUER points elsewhere and a BFF
 * already runs) plus Vite with hot reload. The browser talks only to Vite's origin, which proxies
 * /auth and /api to the BFF, so the BFF's public URL is Vite's.
 */
const env = readEnvironment();
if (!env.OIDC_ISSUER) {
  const stack = await startEmbeddedStack({ ...env, BFF_PUBLIC_URL: env.BFF_PUBLIC_URL || VITE_DEV_ORIGIN });
  onShutdownSignal(() => stack.close());
  process.env.BFF_DEV_TARGET = stack.bff.url;
}
const vite = await createServer({ configFile: 'vite.config.ts' });
await vite.listen();
onShutdownSignal(() => vite.close());
console.log(`\n  Dev server with hot reload: ${VITE_DEV_ORIGIN}  (sign in as alice or bob)\n`);
