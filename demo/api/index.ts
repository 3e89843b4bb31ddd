import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listen } from '../provider/server.ts';
import { createApiHandler } from './routes.ts';
import { createTokenVerifier } from './verify.ts';

// The demo API: a resource server that trusts JWT access tokens from the demo provider (or any
// OIDC issuer publishing a JWKS) for one audience, and keeps one shared notebook in memory.

export interface DemoApiOptions {
  host?: string;
  port?: number;
  issuer: string;
  audience: string;
  /** The static key `/partner` requires in `X-Demo-Subscription-Key`; unset refuses every call there. */
  subscriptionKey?: string;
}

export interface DemoApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startDemoApi(opts: DemoApiOptions): Promise<DemoApi> {
  const handle = createApiHandler(createTokenVerifier({ issuer: opts.issuer, audience: opts.audience }), { subscriptionKey: opts.subscriptionKey });
  const server = createServer((req, res) => void handle(req, res));
  const host = opts.host ?? '127.0.0.1';
  await listen(server, opts.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () => (closing ??= closeServer(server)),
  };
}
