import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../bff/config.ts';
import type { FileInput } from '../../bff/options/file-schema.ts';
import { createLogger } from '../../bff/log.ts';
import { listen } from '../../bff/server.ts';
import { createMockIdp, DEFAULT_CLIENT, type MockIdp, type MockIdpOptions } from './idp/index.ts';
import { fetchFromHandlers } from './provider-fetch.ts';
import { Browser, location } from './browser.ts';

export const TEST_SECRET = 'test-session-secret-0123456789-abcdefghij';
export const PUBLIC_ORIGIN = 'http://localhost:3000';

export interface TestBffOptions {
  idp?: MockIdp;
  idpOptions?: MockIdpOptions;
  env?: Record<string, string>;
  /** A configuration file's content (providers, the routes table `apis`), handed over in code. */
  file?: FileInput;
  /** Epoch ms; tests move time by changing what this returns. */
  clock?: () => number;
  /** Further providers the BFF's fetch reaches (name them in `file.providers`): several-provider tests. */
  moreIdps?: MockIdp[];
}

/**
 * The real BFF (createApp + node:http) on a loopback port, its provider faked by the msw IdP kit
 * through the injected fetch, its logs captured at debug level.
 */
export async function startTestBff(options: TestBffOptions = {}) {
  const idp = options.idp ?? (await createMockIdp(options.idpOptions));
  const env = {
    HOST: '127.0.0.1',
    PORT: '0',
    BFF_PUBLIC_URL: PUBLIC_ORIGIN,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: DEFAULT_CLIENT.client_id,
    OIDC_CLIENT_SECRET: DEFAULT_CLIENT.client_secret,
    SESSION_SECRET: TEST_SECRET,
    LOG_LEVEL: 'debug',
    // Test files sign in far more often than a person; the login limit has its own tests.
    LOGIN_RATE_LIMIT_PER_MIN: '100000',
    ...options.env,
  };
  const config: Config = loadConfig(env, options.file ? { file: options.file } : {});
  const logs: string[] = [];
  const provider = fetchFromHandlers(() => [...idp.handlers, ...(options.moreIdps ?? []).flatMap((i) => i.handlers)]);
  const bff = await listen(config, {
    log: createLogger('debug', { write: (line: string) => void logs.push(line) }),
    fetch: provider.fetch,
    staticDir: mkdtempSync(join(tmpdir(), 'bff-static-')),
    ...(options.clock ? { clock: options.clock } : {}),
  });

  function browser(): Browser {
    return new Browser(bff.url);
  }

  /** Follows /auth/login → the provider's authorize endpoint; returns the callback URL it redirects to. */
  async function startLogin(b: Browser, returnTo?: string): Promise<URL> {
    const res = await b.get(returnTo === undefined ? '/auth/login' : `/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    if (res.status !== 302) throw new Error(`login answered ${res.status}`);
    const authorize = await provider.request(location(res).href, { redirect: 'manual' });
    return new URL(authorize.headers.get('location')!, idp.issuer);
  }

  /** A whole sign-in; returns the callback's response (302 to returnTo on success). */
  async function signIn(b: Browser, returnTo?: string): Promise<Response> {
    const callback = await startLogin(b, returnTo);
    return b.get(callback.pathname + callback.search);
  }

  /**
   * A whole sign-in started at `loginPath` (`/auth/login?provider=…&acr_values=…`); `edit` may
   * change the authorization URL first, as a user (or attacker) at the address bar could.
   */
  async function signInVia(b: Browser, loginPath: string, edit?: (authorizationUrl: URL) => void): Promise<Response> {
    const res = await b.get(loginPath);
    if (res.status !== 302) throw new Error(`login answered ${res.status}`);
    const authorizationUrl = location(res);
    edit?.(authorizationUrl);
    const authorize = await provider.request(authorizationUrl.href, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!, authorizationUrl);
    return b.get(callback.pathname + callback.search);
  }

  return {
    idp,
    signInVia,
    config,
    url: bff.url,
    logs,
    unhandled: provider.unhandled,
    issuedTokens: provider.issuedTokens,
    browser,
    startLogin,
    signIn,
    close: () => bff.shutdown(100),
  };
}

export type TestBff = Awaited<ReturnType<typeof startTestBff>>;
