import { paths } from '../../shared/paths.ts';

const EXACT = new Set<string>([paths.healthz, paths.readyz, '/api', '/auth']);

/**
 * Whether a request URL is one the BFF answers itself (`/auth/*`, `/api/*`, `/healthz`, `/readyz`).
 * A host app that mounts `bff.handler` gets everything else through `next()`, untouched: no
 * security headers, no cookies, no body read.
 */
export function isBffUrl(url: string): boolean {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return EXACT.has(path) || path.startsWith('/api/') || path.startsWith('/auth/');
}

/** The `/api` relay's share of {@link isBffUrl}: it runs on raw node:http, before Express. */
export function isApiUrl(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}
