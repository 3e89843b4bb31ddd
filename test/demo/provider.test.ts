import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoProvider } from '../../demo/provider/index.ts';
import { startDemoApi } from '../../demo/api/index.ts';
import { CookieJar } from '../support/cookie-jar.ts';
import {
  API_AUDIENCE, CLIENT, POST_LOGOUT_URI, REDIRECT_URI, SCOPE, discover, formAction, login, startProvider, walkToCallback,
} from './oidc-flow.ts';

let provider: DemoProvider;
let config: client.Configuration;

beforeAll(async () => {
  provider = await startProvider({ accessTokenTtl: 90 });
  config = await discover(provider.issuer);
});
afterAll(async () => {
  await provider?.close();
});

async function invalidGrant(promise: Promise<unknown>): Promise<void> {
  const err: unknown = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(client.ResponseBodyError);
  expect((err as client.ResponseBodyError).error).toBe('invalid_grant');
}

describe('demo provider', () => {
  it('advertises the issuer on localhost and code flow with S256 only', () => {
    expect(provider.issuer).toBe(`http://localhost:${provider.port}`);
    const meta = config.serverMetadata();
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect(meta.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    expect(meta.end_session_endpoint).toBeDefined();
    expect(meta.revocation_endpoint).toBeDefined();
    expect(meta.introspection_endpoint).toBeDefined();
  });

  it('serves an accessible login page that lists the demo users and says the password is ignored', async () => {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const jar = new CookieJar();
    const first = await jar.fetch(url);
    expect(first.status).toBe(303);
    const page = await jar.fetch(new URL(first.headers.get('location') ?? '', url));
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toMatch(/<label for="username">/);
    expect(html).toMatch(/<input id="username" name="username"/);
    expect(html).toMatch(/<label for="password">/);
    expect(html).toMatch(/Ignored/);
    expect(html).toMatch(/alice/);
    expect(html).toMatch(/bob/);
    expect(html).not.toMatch(/https?:\/\/(?!localhost)/); // no external assets
  });

  it('re-asks on a malformed user name, and Cancel returns access_denied to the client', async () => {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI, scope: 'openid', state: 's1', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    const jar = new CookieJar();
    const loginUrl = new URL((await jar.fetch(url)).headers.get('location') ?? '', url);
    const action = formAction(await (await jar.fetch(loginUrl)).text(), loginUrl);
    const bad = await jar.fetch(action, { method: 'POST', body: new URLSearchParams({ username: '<script>' }) });
    const html = await bad.text();
    expect(bad.status).toBe(400);
    expect(html).toMatch(/role="alert"/);
    expect(html).not.toContain('<script>');

    const cancel = await jar.fetch(new URL(action.href.replace(/\/login$/, '/abort')), { method: 'POST' });
    expect(cancel.status).toBe(303);
    const resumed = await jar.fetch(new URL(cancel.headers.get('location') ?? '', action));
    const back = new URL(resumed.headers.get('location') ?? '', action);
    expect(back.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('s1');
  });

  it('requires PKCE', async () => {
    const url = client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid' });
    const res = await new CookieJar().fetch(url);
    const to = new URL(res.headers.get('location') ?? '', url);
    expect(to.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(to.searchParams.get('error')).toBe('invalid_request');
    expect(to.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('runs code flow + PKCE with auto-granted consent: ID token claims, API JWT access token, refresh token', async () => {
    const { tokens } = await login(config, 'alice');
    const id = tokens.claims();
    expect(id).toMatchObject({
      sub: 'alice', name: 'Alice Demo', preferred_username: 'alice', email: 'alice@example.com', roles: ['editor'],
      picture: expect.stringMatching(/^data:image\/svg\+xml,/),
    });
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const at = decodeJwt(tokens.access_token);
    expect(at).toMatchObject({ iss: provider.issuer, aud: API_AUDIENCE, sub: 'alice', client_id: CLIENT.client_id, roles: ['editor'] });
    expect(String(at.scope).split(' ')).toEqual(expect.arrayContaining(['openid', 'api', 'offline_access']));
    expect((at.exp ?? 0) - (at.iat ?? 0)).toBe(90);
    expect(tokens.refresh_token).toBeTypeOf('string');
    expect(tokens.scope?.split(' ')).toEqual(expect.arrayContaining(SCOPE.split(' ')));
  });

  it('rotates refresh tokens, keeps the API audience, and refuses a used refresh token', async () => {
    const { tokens } = await login(config, 'bob');
    const first = tokens.refresh_token ?? '';
    const refreshed = await client.refreshTokenGrant(config, first);
    expect(refreshed.refresh_token).toBeTypeOf('string');
    expect(refreshed.refresh_token).not.toBe(first);
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ aud: API_AUDIENCE, sub: 'bob', roles: ['reader'] });
    await invalidGrant(client.refreshTokenGrant(config, first));
  });

  it('revokes a refresh token (client_secret_basic) and introspection reports it inactive', async () => {
    const basic = await discover(provider.issuer, client.ClientSecretBasic(CLIENT.client_secret));
    const { tokens } = await login(config, 'carol');
    const rt = tokens.refresh_token ?? '';
    expect((await client.tokenIntrospection(basic, rt)).active).toBe(true);
    await client.tokenRevocation(basic, rt);
    expect((await client.tokenIntrospection(config, rt)).active).toBe(false);
    await invalidGrant(client.refreshTokenGrant(config, rt));
  });

  it('ends the session and returns straight to post_logout_redirect_uri', async () => {
    const { jar, tokens } = await login(config, 'alice');
    const endUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: POST_LOGOUT_URI, state: 'bye',
    });
    const page = await jar.fetch(endUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    // The confirmation page submits itself with logout=yes; do what the browser's script does.
    expect(html).toMatch(/document\.forms\[0\]\.submit\(\)/);
    const form = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)"/g)) form.set(name ?? '', value ?? '');
    expect(form.get('logout')).toBe('yes');
    const done = await jar.fetch(formAction(html, endUrl), { method: 'POST', body: form });
    expect(done.status).toBe(303);
    const back = new URL(done.headers.get('location') ?? '');
    expect(`${back.origin}${back.pathname}`).toBe(POST_LOGOUT_URI);
    expect(back.searchParams.get('state')).toBe('bye');

    // The provider session is gone: the next authorization shows the login page again.
    const verifier = client.randomPKCECodeVerifier();
    const again = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    expect((await walkToCallback(jar, again, 'alice')).sawLoginPage).toBe(true);
  });

  it('issues the client its own client-credentials token: a JWT for the demo API, sub the client id, the asked scope', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'catalog:read', resource: API_AUDIENCE });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('catalog:read');
    expect(tokens.refresh_token).toBeUndefined();
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ iss: provider.issuer, aud: API_AUDIENCE, sub: CLIENT.client_id, client_id: CLIENT.client_id, scope: 'catalog:read', gty: 'client-credentials' });
    expect(claims.roles).toBeUndefined();
    // It is accepted where it is meant to be: the demo API's token check (see api-showcase.test.ts for the answers).
    const api = await startDemoApi({ host: '127.0.0.1', port: 0, issuer: provider.issuer, audience: API_AUDIENCE });
    try {
      const res = await fetch(new URL('/catalog', api.url), { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ caller: 'the app' });
    } finally {
      await api.close();
    }
  });

  it('refuses client credentials for an unknown resource, and to a wrong secret', async () => {
    const unknown: unknown = await client.clientCredentialsGrant(config, { scope: 'catalog:read', resource: 'urn:other-api' }).catch((e: unknown) => e);
    expect((unknown as client.ResponseBodyError).error).toBe('invalid_target');
    const wrong = await client.discovery(new URL(provider.issuer), CLIENT.client_id, 'not-the-secret', undefined, { execute: [client.allowInsecureRequests] });
    const refused: unknown = await client.clientCredentialsGrant(wrong, { scope: 'catalog:read', resource: API_AUDIENCE }).catch((e: unknown) => e);
    expect((refused as client.ResponseBodyError).error).toBe('invalid_client');
  });
});
