import { setupServer } from 'msw/node';
import { compactVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMockIdp, DEFAULT_CLIENT, WRONG_ISSUER } from './support/idp/index.ts';
import type { IdpFaults, MockIdp } from './support/idp/index.ts';

// The kit is exercised through openid-client exactly as the BFF uses it, so a kit bug that a
// real RP would notice fails here first.
const idp = await createMockIdp();
const server = setupServer(...idp.handlers);
const REDIRECT_URI = DEFAULT_CLIENT.redirect_uris[0] ?? '';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  idp.reset();
  server.resetHandlers();
});
afterAll(() => server.close());

type Auth = 'basic' | 'post';

/** A Configuration as the BFF builds it; signatures are checked too so `bad_signature` is observable. */
async function discover(provider: MockIdp = idp, auth: Auth = 'basic', secret = DEFAULT_CLIENT.client_secret, clientId = DEFAULT_CLIENT.client_id) {
  const clientAuth = auth === 'basic' ? client.ClientSecretBasic(secret) : client.ClientSecretPost(secret);
  return client.discovery(new URL(provider.issuer), clientId, undefined, clientAuth, { execute: [client.enableNonRepudiationChecks] });
}

/** Starts a login and lets the provider "sign in"; returns what the BFF would keep in its session. */
async function signIn(config: client.Configuration, provider: MockIdp = idp, scope = 'openid profile email offline_access', redirectUri = REDIRECT_URI) {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedState = client.randomState();
  const expectedNonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state: expectedState, nonce: expectedNonce,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier), code_challenge_method: 'S256',
  });
  const callback = await provider.authorize(url.href);
  return { callback, checks: { pkceCodeVerifier, expectedState, expectedNonce } };
}

async function login(config?: client.Configuration, scope?: string) {
  const cfg = config ?? (await discover());
  const { callback, checks } = await signIn(cfg, idp, scope);
  return { config: cfg, callback, checks, tokens: await client.authorizationCodeGrant(cfg, callback, checks) };
}

/** A hand-made authorize URL for the cases openid-client would never produce. */
function authorizeUrl(params: Record<string, string>): string {
  const url = new URL(`${idp.issuer}/authorize`);
  const defaults = {
    client_id: DEFAULT_CLIENT.client_id, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid',
    state: 's1', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries({ ...defaults, ...params })) if (v !== '') url.searchParams.set(k, v);
  return url.href;
}

describe('discovery and keys', () => {
  it('publishes the metadata a strict RP needs', async () => {
    const config = await discover();
    const meta = config.serverMetadata();
    expect(meta).toMatchObject({
      issuer: 'https://idp.example.test', code_challenge_methods_supported: ['S256'], response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256'], authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint: 'https://idp.example.test/revoke', end_session_endpoint: 'https://idp.example.test/end-session',
    });
    expect(meta.scopes_supported).toContain('offline_access');
    expect(idp.calls.discovery).toBe(1);
  });

  it('leaves out optional endpoints when disabled', async () => {
    const bare = await createMockIdp({ issuer: 'https://bare.example.test/', revocation: false, endSession: false, advertiseIss: false });
    server.use(...bare.handlers);
    expect(bare.issuer).toBe('https://bare.example.test');
    const meta = (await discover(bare)).serverMetadata();
    expect(meta.revocation_endpoint).toBeUndefined();
    expect(meta.end_session_endpoint).toBeUndefined();
    expect(meta.authorization_response_iss_parameter_supported).toBe(false);
    await expect(fetch(`${bare.issuer}/revoke`, { method: 'POST' })).rejects.toThrow();
  });

  it.each(['server_error', 'network'] as const)('discovery fault %s makes discovery fail', async (fault) => {
    idp.faults.discovery = fault;
    await expect(discover()).rejects.toThrow();
    expect(idp.calls.discovery).toBe(1);
  });
});

describe('authorization code flow', () => {
  it('runs end to end with client_secret_basic', async () => {
    const { callback, tokens, checks, config } = await login();
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe(checks.expectedState);
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);
    expect(idp.calls.authorize).toHaveLength(1);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(300);
    expect(tokens.scope).toBe('openid profile email offline_access');
    expect(tokens.claims()).toMatchObject({ iss: idp.issuer, sub: 'alice', aud: 'bff', nonce: checks.expectedNonce, name: 'Alice Example' });
    expect(tokens.claims()?.sid).toEqual(expect.any(String));
    expect(idp.calls).toMatchObject({ tokenCode: 1, tokenRefresh: 0 });
    expect(idp.calls.jwks).toBeGreaterThan(0); // the signature was really checked
    expect(idp.isAccessTokenActive(tokens.access_token)).toBe(true);
    expect(idp.isRefreshTokenActive(tokens.refresh_token ?? '')).toBe(true);
    const info = await client.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(info).toMatchObject({ sub: 'alice', email: 'alice@example.test' });
    expect(idp.calls.userinfo).toBe(1);
  });

  it('accepts client_secret_post and form-urlencodes basic credentials (RFC 6749 §2.3.1)', async () => {
    const odd = { client_id: 'odd client:1', client_secret: 'p@ss:w+rd/=%', redirect_uris: [REDIRECT_URI] };
    const other = await createMockIdp({ issuer: 'https://odd.example.test', clients: [odd] });
    server.use(...other.handlers);
    for (const auth of ['basic', 'post'] as const) {
      const config = await discover(other, auth, odd.client_secret, odd.client_id);
      const { callback, checks } = await signIn(config, other);
      await expect(client.authorizationCodeGrant(config, callback, checks)).resolves.toHaveProperty('access_token');
    }
  });

  it.each(['basic', 'post'] as const)('refuses a wrong secret with 401 invalid_client (%s)', async (auth) => {
    const config = await discover(idp, auth, 'wrong-secret');
    const { callback, checks } = await signIn(config);
    const err = await client.authorizationCodeGrant(config, callback, checks).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401 });
  });

  it('issues no refresh token without offline_access', async () => {
    const { tokens } = await login(undefined, 'openid profile');
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('rejects a PKCE verifier that does not match, and burns the code', async () => {
    const config = await discover();
    const { callback, checks } = await signIn(config);
    const wrong = { ...checks, pkceCodeVerifier: client.randomPKCECodeVerifier() };
    await expect(client.authorizationCodeGrant(config, callback, wrong)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.authorizationCodeGrant(config, callback, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('rejects a replayed code and revokes what the first redemption issued (RFC 6749 §4.1.2)', async () => {
    const { config, callback, checks, tokens } = await login();
    await expect(client.authorizationCodeGrant(config, callback, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(idp.isAccessTokenActive(tokens.access_token)).toBe(false);
    expect(idp.isRefreshTokenActive(tokens.refresh_token ?? '')).toBe(false);
    expect(idp.calls.tokenCode).toBe(2);
  });

  it('rejects a redirect_uri at the token endpoint that differs from the authorize one', async () => {
    const config = await discover();
    const { callback, checks } = await signIn(config);
    const moved = new URL(`http://localhost:3000/elsewhere${callback.search}`);
    await expect(client.authorizationCodeGrant(config, moved, checks)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('authorize endpoint', () => {
  it.each([
    ['no code_challenge', { code_challenge: '' }, 'invalid_request'],
    ['plain PKCE', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['no openid scope', { scope: 'profile' }, 'invalid_scope'],
  ])('redirects back with an error for %s', async (_name, params, error) => {
    const back = await idp.authorize(authorizeUrl(params));
    expect(back.searchParams.get('error')).toBe(error);
    expect(back.searchParams.get('state')).toBe('s1');
    expect(back.searchParams.get('code')).toBeNull();
    expect(idp.calls.authorize).toHaveLength(1);
  });

  it.each([
    ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example.test/cb' }],
    ['an unknown client', { client_id: 'nobody' }],
  ])('shows a 400 page, never a redirect, for %s', async (_name, params) => {
    const res = await fetch(authorizeUrl(params), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    await expect(idp.authorize(authorizeUrl(params))).rejects.toThrow(/400/);
  });

  it('faults.authorize comes back as an AuthorizationResponseError', async () => {
    idp.faults.authorize = { error: 'access_denied', error_description: 'user said no' };
    const config = await discover();
    const { callback, checks } = await signIn(config);
    await expect(client.authorizationCodeGrant(config, callback, checks)).rejects.toBeInstanceOf(client.AuthorizationResponseError);
    expect(callback.searchParams.get('error_description')).toBe('user said no');
  });

  it.each(['wrong', 'missing'] as const)('issParam=%s is rejected by the RP (RFC 9207)', async (fault) => {
    idp.faults.issParam = fault;
    const config = await discover();
    const { callback, checks } = await signIn(config);
    expect(callback.searchParams.get('iss')).toBe(fault === 'wrong' ? WRONG_ISSUER : null);
    await expect(client.authorizationCodeGrant(config, callback, checks)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/"iss"/) } });
    expect(idp.calls.tokenCode).toBe(0); // refused before any code was spent
  });

  it('omits iss when not advertised, and the flow still succeeds', async () => {
    const quiet = await createMockIdp({ issuer: 'https://quiet.example.test', advertiseIss: false });
    server.use(...quiet.handlers);
    const config = await discover(quiet);
    const { callback, checks } = await signIn(config, quiet);
    expect(callback.searchParams.has('iss')).toBe(false);
    await expect(client.authorizationCodeGrant(config, callback, checks)).resolves.toHaveProperty('access_token');
  });
});

describe('ID Token faults', () => {
  // The reason openid-client gives, so each case fails for its own fault and not for an unrelated one.
  const faults: [NonNullable<IdpFaults['idToken']>, RegExp][] = [
    ['bad_signature', /signature verification failed/], ['wrong_nonce', /"nonce"/], ['wrong_iss', /"iss"/],
    ['wrong_aud', /"aud"/], ['expired', /"exp"/], ['alg_none', /"alg"/], ['missing', /"id_token"/],
  ];

  it.each(faults)('%s makes authorizationCodeGrant throw', async (fault, reason) => {
    const config = await discover();
    const { callback, checks } = await signIn(config);
    idp.faults.idToken = fault;
    await expect(client.authorizationCodeGrant(config, callback, checks)).rejects.toMatchObject({ cause: { message: expect.stringMatching(reason) } });
    expect(idp.calls.tokenCode).toBe(1);
  });

  it('bad_signature is only caught when signatures are checked (openid-client skips them by default)', async () => {
    const config = await client.discovery(new URL(idp.issuer), DEFAULT_CLIENT.client_id, DEFAULT_CLIENT.client_secret);
    const { callback, checks } = await signIn(config);
    idp.faults.idToken = 'bad_signature';
    await expect(client.authorizationCodeGrant(config, callback, checks)).resolves.toHaveProperty('id_token');
  });
});

describe('token endpoint faults', () => {
  const expected = { invalid_grant: { status: 400, error: 'invalid_grant' }, server_error: { code: 'OAUTH_RESPONSE_IS_NOT_CONFORM', cause: { status: 500 } }, network: {} };

  it.each(['invalid_grant', 'server_error', 'network'] as const)('token=%s fails the code grant without consuming the code', async (fault) => {
    const config = await discover();
    const { callback, checks } = await signIn(config);
    idp.faults.token = fault;
    const err = await client.authorizationCodeGrant(config, callback, checks).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject(expected[fault]);
    if (fault === 'network') expect(err).toBeInstanceOf(TypeError);
    idp.faults.token = undefined;
    await expect(client.authorizationCodeGrant(config, callback, checks)).resolves.toHaveProperty('access_token');
  });

  it.each(['invalid_grant', 'server_error', 'network'] as const)('refresh=%s fails the refresh and leaves the token usable', async (fault) => {
    const { config, tokens } = await login();
    const refreshToken = tokens.refresh_token ?? '';
    idp.faults.refresh = fault;
    const err = await client.refreshTokenGrant(config, refreshToken).catch((e: unknown) => e);
    expect(err).toMatchObject(expected[fault]);
    if (fault === 'network') expect(err).toBeInstanceOf(TypeError);
    expect(idp.isRefreshTokenActive(refreshToken)).toBe(true);
    expect(idp.calls.tokenRefresh).toBe(1);
  });

  it('slowMs delays the answer', async () => {
    const config = await discover();
    const { callback, checks } = await signIn(config);
    idp.faults.slowMs = 250;
    const started = performance.now();
    await client.authorizationCodeGrant(config, callback, checks);
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });
});

describe('refresh tokens', () => {
  it('rotate on every use', async () => {
    const { config, tokens } = await login();
    const first = tokens.refresh_token ?? '';
    const refreshed = await client.refreshTokenGrant(config, first);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(first);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.claims()).toMatchObject({ sub: 'alice', sid: tokens.claims()?.sid });
    expect(refreshed.claims()?.nonce).toBeUndefined();
    expect(idp.isRefreshTokenActive(first)).toBe(false);
    expect(idp.isRefreshTokenActive(refreshed.refresh_token ?? '')).toBe(true);
    expect(idp.calls).toMatchObject({ tokenCode: 1, tokenRefresh: 1 });
  });

  it('reuse of a rotated token is refused and revokes the whole family', async () => {
    const { config, tokens } = await login();
    const first = tokens.refresh_token ?? '';
    const second = await client.refreshTokenGrant(config, first);
    await expect(client.refreshTokenGrant(config, first)).rejects.toMatchObject({ error: 'invalid_grant' });
    for (const at of [tokens.access_token, second.access_token]) expect(idp.isAccessTokenActive(at)).toBe(false);
    expect(idp.isRefreshTokenActive(second.refresh_token ?? '')).toBe(false);
    await expect(client.refreshTokenGrant(config, second.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('rotateRefreshTokens: false keeps the refresh token valid and answers without a new one', async () => {
    const { config, tokens } = await login();
    idp.settings.rotateRefreshTokens = false;
    const first = tokens.refresh_token ?? '';
    const second = await client.refreshTokenGrant(config, first);
    expect(second.refresh_token).toBeUndefined();
    expect(second.access_token).not.toBe(tokens.access_token);
    const third = await client.refreshTokenGrant(config, first);
    expect(third.refresh_token).toBeUndefined();
    expect(idp.isRefreshTokenActive(first)).toBe(true);
    expect(idp.calls.tokenRefresh).toBe(2);
    idp.reset();
    expect(idp.settings.rotateRefreshTokens).toBe(true);
  });

  it('may narrow the scope but not widen it', async () => {
    const { config, tokens } = await login(undefined, 'openid email offline_access');
    const narrowed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '', { scope: 'openid' });
    expect(narrowed.scope).toBe('openid');
    await expect(client.refreshTokenGrant(config, narrowed.refresh_token ?? '', { scope: 'openid profile' }))
      .rejects.toMatchObject({ error: 'invalid_scope' });
  });
});

describe('revocation, userinfo, end session', () => {
  it('revoking a refresh token revokes its grant; revoking an access token revokes only it (RFC 7009)', async () => {
    const { config, tokens } = await login();
    const other = await login(config);
    await client.tokenRevocation(config, other.tokens.access_token, { token_type_hint: 'access_token' });
    expect(idp.isAccessTokenActive(other.tokens.access_token)).toBe(false);
    expect(idp.isRefreshTokenActive(other.tokens.refresh_token ?? '')).toBe(true);
    await client.tokenRevocation(config, tokens.refresh_token ?? '');
    expect(idp.isRefreshTokenActive(tokens.refresh_token ?? '')).toBe(false);
    expect(idp.isAccessTokenActive(tokens.access_token)).toBe(false);
    expect(idp.calls.revocations).toEqual([
      { token: other.tokens.access_token, token_type_hint: 'access_token' },
      { token: tokens.refresh_token },
    ]);
    await expect(client.fetchUserInfo(config, tokens.access_token, 'alice')).rejects.toMatchObject({ status: 401 });
  });

  it('revocation needs client authentication but answers 200 for unknown tokens', async () => {
    const config = await discover();
    await expect(client.tokenRevocation(config, 'never-issued')).resolves.toBeUndefined();
    const bad = await discover(idp, 'basic', 'wrong-secret');
    await expect(client.tokenRevocation(bad, 'never-issued')).rejects.toMatchObject({ status: 401 });
  });

  it('userinfo wants a live Bearer token', async () => {
    const res = await fetch(`${idp.issuer}/userinfo`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const forged = await fetch(`${idp.issuer}/userinfo`, { headers: { authorization: 'Bearer at_forged' } });
    expect(forged.status).toBe(401);
  });

  it('end session redirects only to a registered post_logout_redirect_uri, with state', async () => {
    const { config, tokens } = await login();
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: 'http://localhost:3000/', state: 'bye',
    });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://localhost:3000/?state=bye');
    const evil = client.buildEndSessionUrl(config, { post_logout_redirect_uri: 'https://evil.example.test/' });
    expect((await fetch(evil, { redirect: 'manual' })).status).toBe(400);
    const forgedHint = client.buildEndSessionUrl(config, { id_token_hint: 'a.b.c', post_logout_redirect_uri: 'http://localhost:3000/' });
    expect((await fetch(forgedHint, { redirect: 'manual' })).status).toBe(400);
    expect(idp.calls.endSession).toHaveLength(3);
    expect(idp.calls.endSession[0]?.searchParams.get('state')).toBe('bye');
  });
});

describe('instances, settings and reset', () => {
  it('keeps providers apart, so an RP can catch a mix-up', async () => {
    const other = await createMockIdp({ issuer: 'https://other.example.test' });
    server.use(...other.handlers);
    const configA = await discover();
    const configB = await discover(other);
    const { callback, checks } = await signIn(configB, other);
    // A response from B delivered to the RP's session with A: iss gives it away.
    await expect(client.authorizationCodeGrant(configA, callback, checks)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/"iss"/) } });
    expect(other.calls.authorize).toHaveLength(1);
    expect(idp.calls.authorize).toHaveLength(0);
    const { tokens } = await login(configA);
    expect(other.isAccessTokenActive(tokens.access_token)).toBe(false);
  });

  it('authorize() needs no listening msw server', async () => {
    const offline = await createMockIdp({ issuer: 'https://offline.example.test' });
    const back = await offline.authorize(authorizeUrl({}).replace(idp.issuer, offline.issuer));
    expect(back.searchParams.get('code')).toEqual(expect.any(String));
    expect(back.searchParams.get('iss')).toBe(offline.issuer);
    await expect(offline.authorize(authorizeUrl({}))).rejects.toThrow(/not this provider/);
  });

  it('settings apply to the next sign-in and the next tokens', async () => {
    idp.settings.user = { sub: 'bob', name: 'Bob' };
    idp.settings.accessTokenTtl = 42;
    const { tokens } = await login();
    expect(tokens.claims()).toMatchObject({ sub: 'bob', name: 'Bob' });
    expect(tokens.expires_in).toBe(42);
  });

  it('reset restores faults, calls and settings but keeps grants', async () => {
    const { tokens } = await login();
    idp.faults.token = 'server_error';
    idp.settings.accessTokenTtl = 1;
    idp.reset();
    expect(idp.faults).toEqual({});
    expect(idp.settings.accessTokenTtl).toBe(300);
    expect(idp.calls).toMatchObject({ discovery: 0, tokenCode: 0, authorize: [] });
    expect(idp.isRefreshTokenActive(tokens.refresh_token ?? '')).toBe(true);
  });
});

describe('introspection, JWT access tokens and the device flow', () => {
  it('introspects an issued access token as active, anything else as inactive', async () => {
    const config = await discover();
    const token = await idp.accessToken({ format: 'opaque', scope: 'openid email' });
    expect(await client.tokenIntrospection(config, token)).toMatchObject({ active: true, sub: 'alice', scope: 'openid email', client_id: DEFAULT_CLIENT.client_id, token_type: 'Bearer' });
    expect((await client.tokenIntrospection(config, 'at_unknown')).active).toBe(false);
    expect(idp.calls.introspection).toBe(2);
  });

  it('issues RFC 9068 JWT access tokens from the token endpoint when accessTokenFormat is jwt', async () => {
    const jwtIdp = await createMockIdp({ issuer: 'https://jwt-idp.example.test', accessTokenFormat: 'jwt' });
    server.use(...jwtIdp.handlers);
    const config = await discover(jwtIdp);
    const { callback, checks } = await signIn(config, jwtIdp);
    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    const [header, payload] = tokens.access_token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(payload).toMatchObject({ iss: jwtIdp.issuer, sub: 'alice', aud: DEFAULT_CLIENT.client_id, client_id: DEFAULT_CLIENT.client_id });
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);
  });

  it('runs a device authorization: pending, slow_down, then tokens once; denied and expired codes', async () => {
    const config = await discover();
    const grant = 'urn:ietf:params:oauth:grant-type:device_code';
    const poll = (device_code: string) => client.genericGrantRequest(config, grant, { device_code }).then(() => 'tokens', (err: client.ResponseBodyError) => err.error);
    const started = await client.initiateDeviceAuthorization(config, { scope: 'openid offline_access' });
    expect(started).toMatchObject({ verification_uri: `${idp.issuer}/device`, interval: 5, expires_in: 600 });
    expect(await poll(started.device_code)).toBe('authorization_pending');
    expect(await poll(started.device_code)).toBe('slow_down');
    idp.decideDevice(started.user_code, 'approve');
    expect(await poll(started.device_code)).toBe('tokens');
    expect(await poll(started.device_code)).toBe('invalid_grant');
    const denied = await client.initiateDeviceAuthorization(config, {});
    idp.decideDevice(denied.user_code, 'deny');
    expect(await poll(denied.device_code)).toBe('access_denied');
    const expired = await client.initiateDeviceAuthorization(config, {});
    idp.decideDevice(expired.user_code, 'expire');
    expect(await poll(expired.device_code)).toBe('expired_token');
    expect(idp.calls.deviceAuthorization).toBe(3);
  });
});

describe('acr, auth_time, symmetric ID tokens and UserInfo-only claims', () => {
  it('names the first requested acr_values in the ID token, none when none was asked, faults.acr whatever was asked', async () => {
    const config = await discover();
    const ask = async (acr?: string) => {
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT_URI, scope: 'openid', state: 's', nonce: 'n', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
        ...(acr ? { acr_values: acr } : {}),
      });
      const tokens = await client.authorizationCodeGrant(config, await idp.authorize(url.href), { pkceCodeVerifier: verifier, expectedState: 's', expectedNonce: 'n' });
      return tokens.claims();
    };
    expect((await ask('mfa pwd'))?.acr).toBe('mfa');
    expect((await ask())?.acr).toBeUndefined();
    idp.faults.acr = 'pwd';
    expect((await ask('mfa'))?.acr).toBe('pwd');
  });

  it('faults.authTimeAgoS makes auth_time that old', async () => {
    idp.faults.authTimeAgoS = 3600;
    const { tokens } = await login();
    expect(Math.floor(Date.now() / 1000) - (tokens.claims()!.auth_time as number)).toBeGreaterThanOrEqual(3600);
  });

  it('idTokenAlg HS512 MACs the ID token with the client secret and lists only HS512', async () => {
    const hs = await createMockIdp({ issuer: 'https://hs.example.test', idTokenAlg: 'HS512' });
    server.use(...hs.handlers);
    const config = await client.discovery(new URL(hs.issuer), DEFAULT_CLIENT.client_id, DEFAULT_CLIENT.client_secret);
    expect(config.serverMetadata().id_token_signing_alg_values_supported).toEqual(['HS512']);
    const { callback, checks } = await signIn(config, hs);
    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    const verified = await compactVerify(tokens.id_token!, new TextEncoder().encode(DEFAULT_CLIENT.client_secret), { algorithms: ['HS512'] });
    expect(verified.protectedHeader.alg).toBe('HS512');
  });

  it('idTokenClaims minimal leaves profile claims to UserInfo; faults.userinfo answers another sub or fails', async () => {
    const minimal = await createMockIdp({ issuer: 'https://minimal.example.test', idTokenClaims: 'minimal' });
    server.use(...minimal.handlers);
    const config = await discover(minimal);
    const { callback, checks } = await signIn(config, minimal);
    const tokens = await client.authorizationCodeGrant(config, callback, checks);
    expect(tokens.claims()).not.toHaveProperty('name');
    expect(await client.fetchUserInfo(config, tokens.access_token, 'alice')).toMatchObject({ sub: 'alice', name: 'Alice Example' });
    minimal.faults.userinfo = 'wrong_sub';
    await expect(client.fetchUserInfo(config, tokens.access_token, 'alice')).rejects.toThrow();
    minimal.faults.userinfo = 'server_error';
    await expect(client.fetchUserInfo(config, tokens.access_token, 'alice')).rejects.toThrow();
  });
});
