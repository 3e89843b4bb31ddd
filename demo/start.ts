import { ConfigError, readEnvironment } from '../bff/config.ts';
import { onShutdownSignal, runBff } from '../bff/standalone.ts';
import { providerConfigured } from '../bff/options/file.ts';
import { startEmbeddedStack } from './stack.ts';

/**
 * `npm start`. With a provider configured (OIDC_ISSUER, or `providers` in the config file): the BFF
 * alone, against it. Without one: the embedded default (local OpenID Provider + demo API + BFF),
 * so signing in needs no account.
 */
const env = readEnvironment();

if (providerConfigured(env, process.cwd())) {
  await runBff(env);
} else {
  try {
    const stack = await startEmbeddedStack(env);
    onShutdownSignal(() => stack.close());
    const url = stack.config.publicOrigin;
    console.log(`
  BFF with the embedded demo provider is ready:  ${url}

  Sign in as  alice  (editor: may delete notes)  or  bob  (reader), or any other name (reader).
  The password field is ignored.

  Demo OpenID Provider  ${stack.provider.issuer}
  Demo API              ${stack.api.url}   (reached through ${url}/api/…)

  Routes (try them on the API panel, ${url}/api-panel):
    /api/notes     your token (the demo API lets editors write)
    /api/catalog   the app's own client-credentials token
    /api/public    no token
    /api/partner   your token if signed in, plus a subscription key made for this run
    /api/reports   your token, editors only (the BFF answers bob with a 403)
    /api/audit     your token, after a security-key sign-in (step-up: the BFF asks for acr mfa)
    /api           your token${stack.config.routes.some((r) => r.path === '/api' && r.upstream.href.startsWith(stack.api.url)) ? '' : ' (to API_UPSTREAM_URL)'}

  Command-line tools: \`npm run demo:cli\` signs in with the device flow and calls /api/notes with its own token.

  SESSION_SECRET was generated for this run: sessions end when you stop the server.
  Set OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and SESSION_SECRET to use your own provider.
  Ctrl-C stops everything.
`);
  } catch (err) {
    const e = err as { code?: string; port?: number; address?: string; message?: string };
    if (err instanceof ConfigError) console.error(err.message);
    else if (e.code === 'EADDRINUSE') console.error(`Port ${e.port ?? ''} is already in use: stop the other process, or set PORT / DEMO_PROVIDER_PORT / DEMO_API_PORT.`);
    else console.error(`Could not start the embedded default: ${e.message ?? String(err)}`);
    process.exit(1);
  }
}
