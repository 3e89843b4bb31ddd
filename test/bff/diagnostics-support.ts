import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getResponse, http, HttpResponse, type RequestHandler } from 'msw';
import { loadConfig } from '../../bff/config.ts';
import { createLogger } from '../../bff/log.ts';
import { listen } from '../../bff/server.ts';
import { Browser, location } from '../support/browser.ts';
import { TEST_SECRET, PUBLIC_ORIGIN } from '../support/bff.ts';
import { DEFAULT_CLIENT, type MockIdp } from '../support/idp/index.ts';
import { fetchFromHandlers } from '../support/provider-fetch.ts';

export const WRONG_SECRET = 'not-the-secret-0123456789abcdefghij';

/**
 * The real BFF against a provider that misbehaves in one way: msw handlers placed before the
 * kit's (or, with `realNetwork`, no fake at all), logs captured so a test can wait for a line.
 */
export async function startBffFacing(opts: { issuer: string; idp?: MockIdp; handlers?: RequestHandler[]; env?: Record<string, string>; realNetwork?: boolean }) {
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    BFF_PUBLIC_URL: PUBLIC_ORIGIN,
    OIDC_ISSUER: opts.issuer,
    OIDC_CLIENT_ID: DEFAULT_CLIENT.client_id,
    OIDC_CLIENT_SECRET: DEFAULT_CLIENT.client_secret,
    SESSION_SECRET: TEST_SECRET,
    LOG_LEVEL: 'debug',
    ...opts.env,
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const provider = fetchFromHandlers([...(opts.handlers ?? []), ...(opts.idp?.handlers ?? [])]);
  const bff = await listen(config, {
    log: createLogger('debug', {
      write: (line: string) => {
        lines.push(line);
        for (const w of waiters) w();
      },
    }),
    ...(opts.realNetwork ? {} : { fetch: provider.fetch }),
    staticDir: mkdtempSync(join(tmpdir(), 'bff-static-')),
  });

  /** The first log line (parsed) whose `event` is `event` (and that `match` accepts); rejects after `timeoutMs`. */
  function waitForLog(event: string, match: (line: Record<string, unknown>) => boolean = () => true, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === event && match(l));
        if (hit) finish(() => resolve(hit));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no matching ${event} log line within ${timeoutMs} ms:\n${lines.join('')}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  }

  /** /auth/login → the provider's authorize endpoint → /auth/callback → where the BFF sends the browser. */
  async function signIn(): Promise<URL> {
    const b = new Browser(bff.url);
    const login = await b.get('/auth/login');
    const first = location(login);
    if (first.pathname === '/login-error') return first;
    const authorize = await provider.request(first.href, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location')!);
    return location(await b.get(callback.pathname + callback.search));
  }

  return { config, url: bff.url, logs: () => lines.join(''), waitForLog, signIn, issuedTokens: provider.issuedTokens, request: provider.request, close: () => bff.shutdown(100) };
}

/** The kit's discovery document, edited. */
export function editedDiscovery(idp: MockIdp, edit: (doc: Record<string, unknown>) => Record<string, unknown>) {
  return http.get(`${idp.issuer}/.well-known/openid-configuration`, async ({ request }) => {
    const res = await getResponse(idp.handlers, request);
    return HttpResponse.json(edit((await res!.json()) as Record<string, unknown>));
  });
}

/** An authorization endpoint that sends the browser back with an error, as RFC 6749 §4.1.2.1 describes. */
export function authorizeAnswering(idp: MockIdp, error: string, description: string) {
  return http.get(`${idp.issuer}/authorize`, ({ request }) => {
    const asked = new URL(request.url).searchParams;
    const back = new URL(asked.get('redirect_uri')!);
    back.search = new URLSearchParams({ error, error_description: description, state: asked.get('state')!, iss: idp.issuer }).toString();
    return new HttpResponse(null, { status: 302, headers: { location: back.href } });
  });
}

/** The sign-in error page's parameters. */
export function page(url: URL) {
  return { path: url.pathname, error: url.searchParams.get('error'), description: url.searchParams.get('error_description') ?? '', hint: url.searchParams.get('hint') ?? '' };
}
