import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { loadConfig, type Config } from '../bff/config.ts';
import { createLogger, resolveLogFormat } from '../bff/log.ts';
import { listen, type RunningBff } from '../bff/server.ts';
import { startDemoProvider, type DemoProvider } from './provider/index.ts';
import { startDemoApi, type DemoApi } from './api/index.ts';
import { demoRoutes, SUBSCRIPTION_KEY_VAR } from './routes.ts';

/** The demo API's audience (RFC 8707 resource indicator); independent of ports on purpose. */
export const DEMO_API_AUDIENCE = 'urn:demo-api';
/** Where `npm run dev` serves the SPA; registered too so hot-reload development signs in. */
export const VITE_DEV_ORIGIN = 'http://localhost:5173';

export interface EmbeddedStack {
  bff: RunningBff;
  config: Config;
  provider: DemoProvider;
  api: DemoApi;
  close(): Promise<void>;
}

/** A free loopback port, for the one case where the BFF's public URL must be known before it listens. */
export async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, host, resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const portOf = (value: string | undefined, fallback: number) => (value === undefined || value === '' ? fallback : Number(value));

/**
 * The embedded default, wired the way `npm start` runs it with no OIDC_ISSUER: a real OpenID
 * Provider (oidc-provider) and the demo API on loopback, and the BFF configured for them with a
 * fresh client secret and an ephemeral SESSION_SECRET, and the routes table of demo/routes.ts
 * (its subscription key generated per run). Port 0 anywhere picks a free port.
 */
export async function startEmbeddedStack(env: Record<string, string | undefined>): Promise<EmbeddedStack> {
  const host = env.HOST || '127.0.0.1';
  let bffPort = portOf(env.PORT, 3000);
  if (bffPort === 0) bffPort = await freePort(host);
  const publicOrigin = env.BFF_PUBLIC_URL ? new URL(env.BFF_PUBLIC_URL).origin : `http://localhost:${bffPort}`;
  const client = {
    client_id: 'bff-demo',
    client_secret: randomBytes(32).toString('base64url'),
    redirect_uris: [...new Set([`${publicOrigin}/auth/callback`, `${VITE_DEV_ORIGIN}/auth/callback`])],
    post_logout_redirect_uris: [...new Set([env.OIDC_POST_LOGOUT_REDIRECT_URI || `${publicOrigin}/`, `${VITE_DEV_ORIGIN}/`])],
    // Signing out at the provider ends the BFF session too (OpenID Connect Back-Channel Logout 1.0).
    // Server to server, so straight to the address the BFF listens on (`localhost` may resolve to ::1).
    backchannel_logout_uri: `http://${['0.0.0.0', '::', 'localhost'].includes(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${bffPort}/auth/backchannel-logout`,
    backchannel_logout_session_required: true,
  };
  const provider = await startDemoProvider({
    host: '127.0.0.1',
    port: portOf(env.DEMO_PROVIDER_PORT, 3001),
    client,
    apiAudience: DEMO_API_AUDIENCE,
    ...(env.DEMO_ACCESS_TOKEN_TTL_S ? { accessTokenTtl: Number(env.DEMO_ACCESS_TOKEN_TTL_S) } : {}),
  });
  let api: DemoApi | undefined;
  // Handed to the demo API directly and to the BFF through `${DEMO_SUBSCRIPTION_KEY}` in its routes.
  const subscriptionKey = randomBytes(24).toString('base64url');
  try {
    api = await startDemoApi({ host: '127.0.0.1', port: portOf(env.DEMO_API_PORT, 3002), issuer: provider.issuer, audience: DEMO_API_AUDIENCE, subscriptionKey });
    // A user's API_UPSTREAM_URL defines `/api` (the contract's shorthand); the demo routes stay.
    const apis = demoRoutes(api.url, DEMO_API_AUDIENCE, { withApiRoute: !env.API_UPSTREAM_URL });
    const config = loadConfig({
      ...env,
      PORT: String(bffPort),
      HOST: host,
      BFF_PUBLIC_URL: publicOrigin,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: client.client_id,
      OIDC_CLIENT_SECRET: client.client_secret,
      // The provider issues JWT access tokens for the demo API (RFC 8707), so bearer clients' tokens name it.
      OIDC_BEARER_AUDIENCE: DEMO_API_AUDIENCE,
      SESSION_SECRET: env.SESSION_SECRET || randomBytes(32).toString('base64url'),
      [SUBSCRIPTION_KEY_VAR]: subscriptionKey,
    }, { file: { apis, deviceFlow: true } });
    const bff = await listen(config, { log: createLogger(config.logLevel, undefined, resolveLogFormat(config.logFormat)) });
    const started = api;
    return {
      bff,
      config,
      provider,
      api: started,
      async close() {
        await bff.shutdown();
        await Promise.all([started.close(), provider.close()]);
      },
    };
  } catch (err) {
    await Promise.all([api?.close(), provider.close()]);
    throw err;
  }
}
