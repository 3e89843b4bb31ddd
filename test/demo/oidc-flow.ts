import * as client from 'openid-client';
import { expect } from 'vitest';
import { startDemoProvider } from '../../demo/provider/index.ts';
import type { DemoProvider, DemoProviderOptions } from '../../demo/provider/index.ts';
import { CookieJar } from '../support/cookie-jar.ts';

// Shared setup: the demo provider plus openid-client v6 acting as the BFF would, and a
// browser-less walk through the provider's login page.

export const CLIENT = {
  client_id: 'demo-bff',
  client_secret: 'demo-bff-secret-for-tests-only-0123456789',
  redirect_uris: ['http://localhost:3000/auth/callback'],
  post_logout_redirect_uris: ['http://localhost:3000/'],
};
export const REDIRECT_URI = CLIENT.redirect_uris[0] ?? '';
export const POST_LOGOUT_URI = CLIENT.post_logout_redirect_uris[0] ?? '';
export const API_AUDIENCE = 'urn:demo-api';
export const SCOPE = 'openid profile email offline_access api';

export async function startProvider(extra: Partial<DemoProviderOptions> = {}): Promise<DemoProvider> {
  return startDemoProvider({ host: '127.0.0.1', port: 0, client: CLIENT, apiAudience: API_AUDIENCE, ...extra });
}

export async function discover(issuer: string, auth?: client.ClientAuth): Promise<client.Configuration> {
  return client.discovery(new URL(issuer), CLIENT.client_id, CLIENT.client_secret, auth, {
    execute: [client.allowInsecureRequests],
  });
}

function location(res: Response, base: URL): URL {
  const value = res.headers.get('location');
  if (!value) throw new Error(`expected a redirect from ${base.href}, got ${res.status}`);
  return new URL(value, base);
}

/** The action URL of the first form in an HTML page (relative to the page URL). */
export function formAction(html: string, page: URL): URL {
  const action = /<form[^>]*\saction="([^"]+)"/i.exec(html)?.[1];
  if (!action) throw new Error('no form on the page');
  return new URL(action.replaceAll('&amp;', '&'), page);
}

/**
 * Follows provider redirects from `start` until it redirects to the client's redirect_uri.
 * On the login page it submits `username` (once). Returns the callback URL.
 */
export async function walkToCallback(jar: CookieJar, start: URL, username: string, redirectUri = REDIRECT_URI, factor?: 'key'): Promise<{ callback: URL; sawLoginPage: boolean }> {
  let url = start;
  let sawLoginPage = false;
  for (let hop = 0; hop < 12; hop += 1) {
    if (url.href.startsWith(redirectUri)) return { callback: url, sawLoginPage };
    const res = await jar.fetch(url);
    if (res.status >= 300 && res.status < 400) {
      url = location(res, url);
      continue;
    }
    const html = await res.text();
    expect(res.status, html).toBe(200);
    expect(sawLoginPage, 'login page shown twice').toBe(false);
    sawLoginPage = true;
    const action = formAction(html, url);
    // factor=key: the login page's "Use a security key" button (acr mfa).
    const body = new URLSearchParams({ username, password: 'ignored', ...(factor ? { factor } : {}) });
    const posted = await jar.fetch(action, { method: 'POST', body });
    expect(posted.status).toBe(303);
    url = location(posted, action);
  }
  throw new Error('too many redirects');
}

export interface LoggedIn {
  jar: CookieJar;
  tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
}

/** A full code flow + PKCE with prompt=consent and offline_access, signing in as `username`. */
export async function login(config: client.Configuration, username: string, jar = new CookieJar()): Promise<LoggedIn> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    prompt: 'consent',
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const { callback } = await walkToCallback(jar, authUrl, username);
  const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
  return { jar, tokens };
}
