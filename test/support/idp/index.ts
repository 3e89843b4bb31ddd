import { getResponse } from 'msw';
import type { HttpHandler } from 'msw';
import { authorizeHandler } from './authorize.ts';
import { emptyCalls, endpointsOf } from './context.ts';
import type { IdpContext } from './context.ts';
import { discoveryHandler, jwksHandler } from './discovery.ts';
import { endSessionHandlers } from './end-session.ts';
import { generateSigningKeys, SIGNING_ALG } from './keys.ts';
import { revocationHandler } from './revocation.ts';
import { GrantStore } from './store.ts';
import { tokenHandler } from './token.ts';
import { introspectionHandler } from './introspection.ts';
import { decideDevice, deviceAuthorizationHandler } from './device.ts';
import { mintAccessToken } from './access-token.ts';
import { randomToken } from './keys.ts';
import { nowSeconds } from './store.ts';
import type { AccessTokenRequest, IdpSettings, MockClient, MockIdp, MockIdpOptions } from './types.ts';
import { userinfoHandlers } from './userinfo.ts';
import { signLogoutToken } from './logout-token.ts';

export { WRONG_ISSUER } from './context.ts';
export { fetchFromHandlers } from './fetch.ts';
export { signInThrough } from './sign-in.ts';
export { BACKCHANNEL_EVENT, type LogoutTokenOptions } from './logout-token.ts';
export type { AccessTokenFault, AccessTokenRequest, IdpCalls, IdpFaults, IdpSettings, MockClient, MockIdp, MockIdpOptions } from './types.ts';

export const DEFAULT_CLIENT: Readonly<MockClient> = Object.freeze({
  client_id: 'bff',
  client_secret: 'bff-secret-0123456789abcdef0123456789',
  redirect_uris: ['http://localhost:3000/auth/callback'],
  post_logout_redirect_uris: ['http://localhost:3000/'],
});

export const DEFAULT_USER: Readonly<Record<string, unknown>> = Object.freeze({
  sub: 'alice',
  name: 'Alice Example',
  email: 'alice@example.test',
  preferred_username: 'alice',
});

function initialSettings(options: MockIdpOptions): IdpSettings {
  const user = structuredClone(options.user ?? DEFAULT_USER);
  if (typeof user.sub !== 'string' || user.sub === '') throw new TypeError('createMockIdp: user.sub must be a non-empty string');
  return {
    user,
    accessTokenTtl: options.accessTokenTtl ?? 300,
    idTokenTtl: options.idTokenTtl ?? 300,
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
    accessTokenFormat: options.accessTokenFormat ?? 'opaque',
    accessTokenAudience: options.accessTokenAudience,
    deviceCodeTtl: options.deviceCodeTtl ?? 600,
    deviceInterval: options.deviceInterval ?? 5,
    introspectionClaims: {},
  };
}

function handlersOf(ctx: IdpContext): HttpHandler[] {
  return [
    discoveryHandler(ctx),
    jwksHandler(ctx),
    authorizeHandler(ctx),
    tokenHandler(ctx),
    ...(ctx.introspection ? [introspectionHandler(ctx)] : []),
    deviceAuthorizationHandler(ctx),
    ...userinfoHandlers(ctx),
    ...(ctx.revocation ? [revocationHandler(ctx)] : []),
    ...(ctx.endSession ? endSessionHandlers(ctx) : []),
  ];
}

/**
 * Plays the browser at the authorize endpoint: follows nothing, returns the Location it answers.
 * Resolves through this provider's own handlers rather than global fetch, so it works whether or not
 * an msw server is listening (e.g. when the BFF gets the handlers through an injected fetch).
 * @see RFC 6749 §4.1.2
 */
async function signIn(handlers: HttpHandler[], authorizationUrl: string): Promise<URL> {
  const response = await getResponse(handlers, new Request(authorizationUrl, { redirect: 'manual' }));
  if (!response) throw new Error(`mock IdP: ${authorizationUrl} is not this provider's authorize endpoint`);
  const location = response.headers.get('location');
  if (response.status < 300 || response.status > 399 || location === null) {
    throw new Error(`mock IdP: authorize answered ${response.status} without a redirect: ${await response.text()}`);
  }
  return new URL(location, authorizationUrl);
}

/** A grant for `settings.user` at the first client, and an access token of it (see MockIdp.accessToken). */
async function accessTokenFor(ctx: IdpContext, request: AccessTokenRequest = {}): Promise<string> {
  const client = ctx.clients[0]!;
  const scope = request.scope ?? 'openid';
  const sub = String(ctx.settings.user.sub);
  const grant = { id: randomToken('grant'), client_id: client.client_id, sub, sid: randomToken('sid'), auth_time: nowSeconds(), acr: undefined, scope, claims: ctx.settings.user, revoked: false };
  ctx.store.grants.set(grant.id, grant);
  const ttl = ctx.settings.accessTokenTtl;
  if ((request.format ?? ctx.settings.accessTokenFormat) === 'opaque') return ctx.store.issueAccessToken(grant, scope, ttl);
  const token = await mintAccessToken(ctx, { sub, client_id: client.client_id, scope, ...(request.claims && { claims: request.claims }), ...(request.fault && { fault: request.fault }) });
  ctx.store.accessTokens.set(token, { grantId: grant.id, scope, expiresAt: nowSeconds() + ttl, revoked: false });
  return token;
}

/**
 * Creates an in-process OpenID Provider as msw handlers. All state lives in the returned instance,
 * so several providers can run side by side (mix-up tests).
 * @see OpenID Connect Core 1.0
 * @see RFC 6749, RFC 7636, RFC 7009, RFC 9207
 */
export async function createMockIdp(options: MockIdpOptions = {}): Promise<MockIdp> {
  // `iss` is compared as an exact string, so keep one canonical spelling (no trailing slash).
  const issuer = (options.issuer ?? 'https://idp.example.test').replace(/\/+$/, '');
  const ctx: IdpContext = {
    issuer,
    endpoints: endpointsOf(issuer),
    clients: structuredClone(options.clients ?? [DEFAULT_CLIENT]),
    advertiseIss: options.advertiseIss ?? true,
    endSession: options.endSession ?? true,
    revocation: options.revocation ?? true,
    introspection: options.introspection ?? true,
    idTokenAlg: options.idTokenAlg ?? SIGNING_ALG,
    idTokenClaims: options.idTokenClaims ?? 'all',
    keys: await generateSigningKeys(),
    retiredJwks: [],
    store: new GrantStore(),
    faults: {},
    settings: initialSettings(options),
    calls: emptyCalls(),
  };
  const handlers = handlersOf(ctx);

  return {
    issuer,
    handlers,
    get faults() { return ctx.faults; },
    set faults(value) { ctx.faults = value; },
    get settings() { return ctx.settings; },
    set settings(value) { ctx.settings = value; },
    get calls() { return ctx.calls; },
    set calls(value) { Object.assign(ctx.calls, value); },
    authorize: (authorizationUrl) => signIn(handlers, authorizationUrl),
    accessToken: (request) => accessTokenFor(ctx, request),
    decideDevice: (userCode, decision) => decideDevice(ctx, userCode, decision),
    async rotateSigningKey() {
      ctx.retiredJwks.push(ctx.keys.publicJwk);
      ctx.keys = await generateSigningKeys();
    },
    isRefreshTokenActive: (token) => ctx.store.isRefreshTokenActive(token),
    isAccessTokenActive: (token) => ctx.store.isAccessTokenActive(token),
    logoutToken: (logoutOptions) => signLogoutToken(ctx, logoutOptions),
    issuedSids: () => [...ctx.store.grants.values()].map((g) => g.sid),
    reset() {
      ctx.faults = {};
      ctx.settings = initialSettings(options);
      // In place, so a reference a test kept to `idp.calls` still sees the fresh counts.
      Object.assign(ctx.calls, emptyCalls());
    },
  };
}
