import type { Config } from './config.ts';

/** A URL as it may be shown: no user:password, no query (an upstream URL may carry either). */
function shown(url: URL | string): string {
  const u = new URL(url.toString());
  u.username = '';
  u.password = '';
  u.search = '';
  return u.href;
}

/**
 * What an operator needs at start-up: where the app is, what to register at the provider, which
 * provider and API routes are in use. Built from the config's public parts only: the client and
 * session secrets are never read here.
 */
export function startupSummary(config: Config, listeningUrl: string) {
  const { metrics } = config;
  return {
    url: listeningUrl,
    app: config.publicOrigin,
    callbackUrl: config.redirectUri,
    postLogoutUrl: shown(config.oidc.postLogoutRedirectUri),
    backchannelLogoutUrl: `${config.publicOrigin}/auth/backchannel-logout`,
    // The Redis password (in REDIS_URL) is never shown.
    store: config.store.redisUrl ? `redis ${shown(config.store.redisUrl)}` : 'memory (this process only: several instances need REDIS_URL or sticky sessions)',
    // The default provider first: it is the one sign-in uses when none is named.
    providers: [config.oidc, ...Object.values(config.providers).filter((p) => p !== config.oidc)].map((p) => ({ name: p.name, issuer: shown(p.issuer), clientId: p.clientId, clientAuth: p.clientAuth, scopes: p.scopes })),
    // Route headers are left out: they carry subscription keys and the like.
    routes: config.routes.map((r) => ({ path: r.path, upstream: shown(r.upstream), token: r.token })),
    spa: config.staticDir === null ? 'none (API only)' : (config.staticDir ?? 'the built-in SPA (dist/spa)'),
    ...(metrics.port ? { metrics: `http://${metrics.host.includes(':') ? `[${metrics.host}]` : metrics.host}:${metrics.port}/metrics` } : {}),
  };
}

export type StartupSummary = ReturnType<typeof startupSummary>;

/** The summary as a block of text for a terminal. */
export function startupBanner(s: StartupSummary): string {
  const lines = [
    '',
    `  BFF ready: ${s.app}   (listening on ${s.url})`,
    '',
    '  Register at your provider:',
    `    redirect (callback) URI   ${s.callbackUrl}`,
    `    post-logout redirect URI  ${s.postLogoutUrl}`,
    `    back-channel logout URI   ${s.backchannelLogoutUrl}`,
    '',
    ...s.providers.map((p) => `  Provider "${p.name}"  ${p.issuer}  client ${p.clientId} (${p.clientAuth}), scopes "${p.scopes}"`),
    ...(s.routes.length ? s.routes.map((r) => `  API route  ${r.path}/*  ->  ${r.upstream}  (token: ${r.token})`) : ['  API routes: none (no API_UPSTREAM_URL, no `apis` in the config file: /api answers 404)']),
    `  SPA        ${s.spa}`,
    `  Store      ${s.store}`,
    ...(s.metrics ? [`  Metrics    ${s.metrics}`] : []),
    '',
  ];
  return lines.join('\n');
}
