import { randomBytes } from 'node:crypto';
import type { Configuration, InteractionPolicy, JWKS, KoaContextWithOIDC } from 'oidc-provider';
import { ACR_VALUES } from './acr.ts';
import { createMemoryAdapterFactory } from './adapter.ts';
import { demoUser, findAccount } from './accounts.ts';
import { SIGNING_ALG } from './keys.ts';
import { errorPage, logoutAutoConfirmPage, messagePage } from './pages.ts';
import { deviceFlowFeature } from './device-flow.ts';

export interface DemoClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  /** Where the provider posts a logout token when the user signs out there. */
  backchannel_logout_uri?: string;
  backchannel_logout_session_required?: boolean;
}

export interface ProviderConfigOptions {
  client: DemoClient;
  apiAudience: string;
  accessTokenTtl: number;
  jwks: JWKS;
  /** oidc-provider's InvalidTarget error class (passed in: the module is imported lazily). */
  InvalidTarget: new (description?: string) => Error;
  /** The interaction policy (acr.ts: step-up), built from the lazily imported module. */
  policy: InteractionPolicy;
  /**
   * How ID tokens are signed for the client: `RS256` (default) or `HS256/384/512` with the client
   * secret, as some providers do by default. For tests of the BFF against a real provider.
   */
  idTokenAlg?: 'RS256' | 'HS256' | 'HS384' | 'HS512';
  /**
   * Profile and email claims only from UserInfo, never in the ID token (OIDC Core §5.4, as many
   * providers do), and access tokens for UserInfo rather than the demo API. For tests.
   */
  claimsFromUserinfoOnly?: boolean;
}

// What the demo API resource server accepts. OIDC scopes are listed too so that the access token's
// `scope` claim shows everything the user granted (the API echoes it on /me). `catalog:read` is
// what the BFF asks for with its own client-credentials token.
const API_SCOPE = 'openid profile email offline_access api catalog:read';

/**
 * Marks the app's own (client-credentials) access tokens, as Auth0's `gty` does: their `sub` is the
 * client id, and a user who signed in under that name must not pass for the app.
 */
export const CLIENT_CREDENTIALS_GTY = 'client-credentials';

function html(ctx: KoaContextWithOIDC, body: string): void {
  ctx.type = 'html';
  ctx.body = body;
}

/** Where "Back to the app" leads from the provider's own pages: the app's post-logout page. */
export function appUrlOf(client: DemoClient): string | undefined {
  return client.post_logout_redirect_uris[0];
}

export function buildConfiguration(opts: ProviderConfigOptions): Configuration {
  const { client, apiAudience, accessTokenTtl } = opts;
  const appUrl = appUrlOf(client);
  const resourceServer = {
    scope: API_SCOPE,
    audience: apiAudience,
    accessTokenFormat: 'jwt' as const,
    accessTokenTTL: accessTokenTtl,
    jwt: { sign: { alg: SIGNING_ALG } },
  };

  return {
    adapter: createMemoryAdapterFactory(),
    jwks: opts.jwks,
    clients: [{
      ...client,
      // client_credentials: the BFF's own token for routes with `token: client` (RFC 6749 §4.4).
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      // v9 accepts client_secret_post as well for a client registered with _basic.
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: opts.idTokenAlg ?? SIGNING_ALG,
      // auth_time in every ID token, so the BFF's require.maxAge has it (oidc-provider adds `acr`
      // only when acr_values asked for one).
      require_auth_time: true,
    }],
    ...(opts.idTokenAlg && opts.idTokenAlg !== SIGNING_ALG ? { enabledJWA: { idTokenSigningAlgValues: [SIGNING_ALG, opts.idTokenAlg] } } : {}),
    acrValues: ACR_VALUES,
    interactions: { policy: opts.policy },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    pkce: { required: () => true }, // v9 only implements S256, so this means "S256 required"
    // Random per start: provider cookies (sessions, interactions) die with the process anyway.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'picture', 'roles'],
      email: ['email', 'email_verified'],
    },
    // Put the profile claims into the ID token itself: the BFF reads the user from there and
    // cannot call userinfo with an access token whose audience is the API.
    conformIdTokenClaims: opts.claimsFromUserinfoOnly === true,
    findAccount,
    // The API authorizes DELETE by role, so roles travel in the (JWT) access token too.
    async extraTokenClaims(_ctx, token) {
      if (token.kind === 'ClientCredentials') return { gty: CLIENT_CREDENTIALS_GTY };
      if (token.kind !== 'AccessToken' || !token.accountId) return undefined;
      const user = demoUser(token.accountId);
      return user ? { roles: user.roles } : undefined;
    },
    rotateRefreshToken: true,
    clientBasedCORS: () => false, // the SPA never talks to the provider from script; the BFF does
    features: {
      devInteractions: { enabled: false }, // our own /interaction routes (interactions.ts)
      clientCredentials: { enabled: true },
      deviceFlow: deviceFlowFeature(appUrl),
      // A sign-out at the provider is posted to the client's backchannel_logout_uri (demo/stack.ts).
      backchannelLogout: { enabled: true },
      revocation: { enabled: true, allowedPolicy: async () => true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => html(ctx, logoutAutoConfirmPage(form)),
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => html(ctx, messagePage('Signed out', 'You are signed out of the demo provider.', appUrl)),
      },
      resourceIndicators: {
        enabled: true,
        // claimsFromUserinfoOnly: no resource, so the access token is one UserInfo accepts.
        defaultResource: async () => (opts.claimsFromUserinfoOnly ? undefined : apiAudience),
        // Without this, a refresh (openid scope, no `resource` param) would mint an opaque
        // userinfo-only token instead of a JWT for the API.
        useGrantedResource: async () => true,
        // Only the demo API exists; any other `resource` value is refused, not silently mapped.
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== apiAudience) throw new opts.InvalidTarget('unknown resource indicator');
          return resourceServer;
        },
      },
    },
    renderError: async (ctx, out) => html(ctx, errorPage(out, appUrl)),
    // oidc-provider refuses to call loopback addresses (an SSRF defence), but the demo's BFF runs on
    // this machine: its back-channel logout URI, exactly, is let through; everything else stays guarded.
    fetch: (url, options) => {
      if (client.backchannel_logout_uri === undefined || String(url) !== client.backchannel_logout_uri) return fetch(url, options);
      const { dispatcher: _guarded, ...unguarded } = options;
      return fetch(url, unguarded);
    },
    ttl: {
      AccessToken: accessTokenTtl,
      ClientCredentials: accessTokenTtl,
      AuthorizationCode: 60,
      DeviceCode: 10 * 60,
      IdToken: 60 * 60,
      Interaction: 10 * 60,
      Session: 8 * 60 * 60,
      Grant: 14 * 24 * 60 * 60,
      RefreshToken: 14 * 24 * 60 * 60,
    },
  };
}
