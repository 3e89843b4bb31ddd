import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as OidcProviderModule from 'oidc-provider';
import { appUrlOf, buildConfiguration } from './config.ts';
import type { DemoClient } from './config.ts';
import { createInteractionHandler, isInteractionPath } from './interactions.ts';
import { loadOrCreateJwks } from './keys.ts';
import { stepUpPolicy } from './acr.ts';
import { listen, closeServer } from './server.ts';

// The embedded demo OpenID Provider (oidc-provider v9) that `npm start` runs when nothing is
// configured: code flow + PKCE (S256) for one confidential client, refresh-token rotation,
// JWT access tokens for the demo API, RP-initiated logout, revocation and introspection.

export type { DemoClient } from './config.ts';

export interface DemoProviderOptions {
  host?: string;
  port?: number;
  publicHost?: string;
  client: DemoClient;
  apiAudience: string;
  accessTokenTtl?: number;
  keysDir?: string;
  /** See ProviderConfigOptions (config.ts): for tests of the BFF against provider quirks. */
  idTokenAlg?: 'RS256' | 'HS256' | 'HS384' | 'HS512';
  claimsFromUserinfoOnly?: boolean;
}

export interface DemoProvider {
  issuer: string;
  port: number;
  close(): Promise<void>;
}

let oidcModule: Promise<typeof OidcProviderModule> | undefined;

// oidc-provider 9 prints "Unsupported runtime" on import under Node 20 (it targets 22+), while
// this project supports 20.19+ and the test suite exercises the demo there. Drop exactly that
// line so `npm start` stays quiet; imported once, so the console swap cannot interleave.
function loadOidcProvider(): Promise<typeof OidcProviderModule> {
  oidcModule ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
      warn(...args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return oidcModule;
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export async function startDemoProvider(opts: DemoProviderOptions): Promise<DemoProvider> {
  const [jwks, oidc] = await Promise.all([loadOrCreateJwks(opts.keysDir), loadOidcProvider()]);

  // The issuer embeds the port, so listen first (port 0 = ephemeral) and mount the provider after.
  let handler: RequestListener = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => handler(req, res));
  await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${urlHost(opts.publicHost ?? 'localhost')}:${port}`;

  try {
    const provider = new oidc.default(issuer, buildConfiguration({
      client: opts.client,
      apiAudience: opts.apiAudience,
      accessTokenTtl: opts.accessTokenTtl ?? 120,
      jwks,
      InvalidTarget: oidc.errors.InvalidTarget as new (description?: string) => Error,
      policy: stepUpPolicy(oidc.interactionPolicy),
      ...(opts.idTokenAlg ? { idTokenAlg: opts.idTokenAlg } : {}),
      ...(opts.claimsFromUserinfoOnly ? { claimsFromUserinfoOnly: true } : {}),
    }));
    // Unexpected failures only (4xx protocol errors are normal traffic); never the request/tokens.
    provider.on('server_error', (_ctx, err) => {
      console.error('[demo-provider] server error:', err instanceof Error ? err.message : err);
    });
    provider.on('backchannel.error', (_ctx: unknown, err: unknown, clientId: unknown) => {
      console.error('[demo-provider] back-channel logout to', (clientId as { clientId?: string })?.clientId, 'failed:', err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : err);
    });

    const providerApp = provider.callback();
    const interactions = createInteractionHandler(provider, appUrlOf(opts.client));
    handler = (req: IncomingMessage, res: ServerResponse) => {
      const pathname = (req.url ?? '/').split('?', 1)[0] ?? '/';
      if (!isInteractionPath(pathname)) {
        void providerApp(req, res);
        return;
      }
      interactions(req, res, pathname).catch((err: unknown) => {
        console.error('[demo-provider] interaction failed:', err instanceof Error ? err.message : err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Sign-in failed. Go back to the app and try again.');
      });
    };
  } catch (err) {
    await closeServer(server);
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    issuer,
    port,
    close: () => (closing ??= closeServer(server)),
  };
}
