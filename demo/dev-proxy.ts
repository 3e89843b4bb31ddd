import { statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { ProxyOptions } from 'vite';

/**
 * The BFF's own routes, as seen from the dev server. The SPA's source lives under the same
 * prefixes (client/api/*.ts is served as /api/queries.ts, client/auth/*.ts as
 * /auth/session.ts), so proxying whole prefixes would send the app's modules to the BFF.
 * `/auth` therefore proxies only the BFF's exact routes; `/api` proxies everything except a file
 * that exists in the client root (a module Vite must serve itself).
 */
export const BFF_AUTH_ROUTES = ['login', 'callback', 'session', 'logout', 'providers', 'device', 'token', 'backchannel-logout'] as const;

function existingClientFile(clientRoot: string, url: string | undefined): boolean {
  const pathname = decodeURIComponent(new URL(url ?? '/', 'http://dev').pathname);
  if (pathname.includes('\0')) return false;
  try {
    return statSync(join(clientRoot, pathname)).isFile();
  } catch {
    return false;
  }
}

/** Vite `server.proxy` entries that forward exactly the BFF's routes to `target`. */
export function bffDevProxy(target: string, clientRoot: string): Record<string, ProxyOptions> {
  // Returning the URL from `bypass` tells Vite to serve the request itself.
  const bypass = (req: IncomingMessage) => (existingClientFile(clientRoot, req.url) ? req.url : undefined);
  const options: ProxyOptions = { target, changeOrigin: false, xfwd: true, bypass };
  return {
    [`^/auth/(${BFF_AUTH_ROUTES.join('|')})(\\?.*)?$`]: options,
    '^/api(/.*)?(\\?.*)?$': options,
    '^/(healthz|readyz)(\\?.*)?$': options,
  };
}
