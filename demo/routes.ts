import type { FileInput } from '../bff/options/file-schema.ts';
import { SUBSCRIPTION_KEY_HEADER } from './api/showcase.ts';

/** The variable the routes table reads the key from (`${NAME}` expansion), set per run by the stack. */
export const SUBSCRIPTION_KEY_VAR = 'DEMO_SUBSCRIPTION_KEY';

/**
 * The embedded default's routes table: one route per token kind the demo shows, all to the demo
 * API. `/api` itself (for `/api/me`) is left out when `API_UPSTREAM_URL` defines it, since
 * defining a route twice is a configuration error.
 * @see CONTRACT.md, second part, "The routes table (`apis`)"
 */
export function demoRoutes(apiUrl: string, audience: string, opts: { withApiRoute: boolean }): NonNullable<FileInput['apis']> {
  const at = (path: string) => `${apiUrl.replace(/\/$/, '')}${path}`;
  return [
    // Writing is the demo API's own decision (editors only): bob gets its 403, relayed as is.
    // Also open to command-line tools with their own token (`npm run demo:cli`, the device flow).
    { path: '/api/notes', upstream: at('/notes'), token: 'user', bearer: true },
    { path: '/api/catalog', upstream: at('/catalog'), token: 'client', scope: 'catalog:read', resource: audience },
    { path: '/api/public', upstream: at('/public'), token: 'none' },
    { path: '/api/partner', upstream: at('/partner'), token: 'user-optional', headers: { [SUBSCRIPTION_KEY_HEADER]: `\${${SUBSCRIPTION_KEY_VAR}}` } },
    // Here the BFF decides: bob (a reader) gets its 403 `forbidden` before anything is relayed.
    { path: '/api/reports', upstream: at('/reports'), token: 'user', require: { claims: { roles: 'editor' } } },
    // Step-up: anyone signed in, but only after a security-key sign-in (the provider's acr `mfa`).
    { path: '/api/audit', upstream: at('/audit'), token: 'user', require: { acr: ['mfa'] } },
    ...(opts.withApiRoute ? [{ path: '/api', upstream: apiUrl, token: 'user' as const }] : []),
  ];
}
