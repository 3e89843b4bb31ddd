import type { HttpHandler } from 'msw';
import type { LogoutTokenOptions } from './logout-token.ts';

/**
 * A confidential client registered at the mock provider.
 * @see RFC 6749 §2 (client registration)
 */
export interface MockClient {
  client_id: string;
  client_secret: string;
  /** Compared by exact string match, as OAuth 2.1 / RFC 9700 §2.1 require. */
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
}

/** Construction options of {@link createMockIdp}; every field has a default. */
export interface MockIdpOptions {
  /** Default `https://idp.example.test`. A trailing slash is dropped so `iss` compares exactly. */
  issuer?: string;
  clients?: MockClient[];
  /** Claims of whoever "signs in" at the authorize endpoint; `sub` must be a string. */
  user?: Record<string, unknown>;
  /** Seconds; default 300. */
  accessTokenTtl?: number;
  /** Seconds; default 300. */
  idTokenTtl?: number;
  /**
   * Default true: every refresh retires the presented refresh token and answers a new one. False:
   * the refresh token stays valid and the refresh answer carries none (RFC 6749 §6 allows both).
   */
  rotateRefreshTokens?: boolean;
  /** `authorization_response_iss_parameter_supported`; default true. @see RFC 9207 */
  advertiseIss?: boolean;
  /** `jwt`: access tokens are RFC 9068 JWTs signed with the provider's key; default `opaque`. Both are introspectable. */
  accessTokenFormat?: 'opaque' | 'jwt';
  /** `aud` of JWT access tokens (and of introspection answers); default the client id (introspection: none). */
  accessTokenAudience?: string;
  /** Device codes live this long (seconds); default 600. @see RFC 8628 §3.2 */
  deviceCodeTtl?: number;
  /** The polling interval a device authorization asks for (seconds); default 5. */
  deviceInterval?: number;
  /**
   * How ID Tokens are signed; default `RS256` (the provider's key). `HS256/384/512` sign with the
   * client's secret (OIDC Core §10.1), as some providers do by default. Metadata lists only this one.
   */
  idTokenAlg?: 'RS256' | 'HS256' | 'HS384' | 'HS512';
  /**
   * `all` (default): the user's claims ride in the ID Token. `minimal`: the ID Token carries `sub`
   * and protocol claims only, and the profile and email claims come only from UserInfo (OIDC Core §5.4).
   */
  idTokenClaims?: 'all' | 'minimal';
  /** Publish and serve `end_session_endpoint`; default true. */
  endSession?: boolean;
  /** Publish and serve `introspection_endpoint`; default true. @see RFC 7662 */
  introspection?: boolean;
  /** Publish and serve `revocation_endpoint`; default true. @see RFC 7009 */
  revocation?: boolean;
}

/**
 * Switches that make the provider misbehave. Unset means "behave".
 * Token-endpoint faults are answered before the request is validated, so they never consume state.
 */
export interface IdpFaults {
  discovery?: 'server_error' | 'network';
  /** The JWKS endpoint fails (a resource server cannot check JWT access tokens). */
  jwks?: 'server_error' | 'network';
  /** authorization_code grant. */
  token?: 'invalid_grant' | 'server_error' | 'network';
  /** refresh_token grant. */
  refresh?: 'invalid_grant' | 'server_error' | 'network';
  /** client_credentials grant. */
  clientCredentials?: 'invalid_scope' | 'server_error' | 'network';
  /** Delay (ms) before every token-endpoint answer. */
  slowMs?: number;
  /** Applies to ID Tokens from both grants; each one is something a correct RP must reject. */
  idToken?: 'bad_signature' | 'wrong_nonce' | 'wrong_iss' | 'wrong_aud' | 'expired' | 'alg_none' | 'missing';
  /**
   * ID Tokens from both grants name this user (its `sub` and claims) instead of the grant's, validly
   * signed: a provider bug or a mixed-up grant. An RP must compare `sub` on refresh (OIDC Core §12.2).
   */
  idTokenUser?: Record<string, unknown> & { sub: string };
  /** The authorize endpoint redirects back with this error (e.g. `access_denied`). */
  authorize?: { error: string; error_description?: string };
  /** Tamper with the `iss` authorization response parameter. @see RFC 9207 */
  issParam?: 'wrong' | 'missing';
  /** The sign-in reuses an authentication this many seconds old (`auth_time`), whatever `max_age` said. */
  authTimeAgoS?: number;
  /** The sign-in yields this `acr`, whatever `acr_values` asked (a provider that ignores it). */
  acr?: string;
  /** UserInfo answers with another user's `sub`, or fails. */
  userinfo?: 'wrong_sub' | 'server_error';
}

export type IdpSettings = Required<Pick<MockIdpOptions, 'user' | 'accessTokenTtl' | 'idTokenTtl' | 'rotateRefreshTokens' | 'accessTokenFormat' | 'deviceCodeTtl' | 'deviceInterval'>> & {
  accessTokenAudience: string | undefined;
  /** Extra members of every active introspection answer (e.g. `{ cnf: … }` to play a sender-constrained token). */
  introspectionClaims: Record<string, unknown>;
};

/** Something a resource server must refuse in a JWT access token. */
export type AccessTokenFault = 'bad_signature' | 'expired' | 'wrong_iss' | 'wrong_aud' | 'alg_none' | 'unknown_kid' | 'wrong_typ';

/** A token `MockIdp.accessToken` mints for `settings.user`, as if issued to the first client. */
export interface AccessTokenRequest {
  /** Default `settings.accessTokenFormat`. */
  format?: 'opaque' | 'jwt';
  /** Default `openid`. */
  scope?: string;
  /** JWT only: extra claims. */
  claims?: Record<string, unknown>;
  /** JWT only: a token a resource server must refuse. */
  fault?: AccessTokenFault;
}

/** What reached the provider, for assertions. */
export interface IdpCalls {
  discovery: number;
  jwks: number;
  authorize: URL[];
  tokenCode: number;
  tokenRefresh: number;
  /** Each client credentials grant with its `scope` and RFC 8707 `resource` (null when absent). */
  tokenClientCredentials: { client_id: string; scope: string | null; resource: string | null }[];
  userinfo: number;
  revocations: { token: string; token_type_hint?: string }[];
  endSession: URL[];
  introspection: number;
  deviceAuthorization: number;
  /** Polls of the device_code grant. */
  tokenDeviceCode: number;
}

/** A running mock OpenID Provider; see `test/support/README.md`. */
export interface MockIdp {
  readonly issuer: string;
  /** `setupServer(...idp.handlers)` */
  readonly handlers: HttpHandler[];
  /** Mutable fault switches; `idp.faults.token = 'invalid_grant'` etc. `reset()` clears them. */
  faults: IdpFaults;
  /** Mutable settings that apply to the next sign-in / issued tokens. */
  settings: IdpSettings;
  calls: IdpCalls;
  /** "Signs in" at `authorizationUrl` and returns the redirect back to the client (the authorize endpoint's Location). */
  authorize(authorizationUrl: string): Promise<URL>;
  /** Whether a refresh token is still valid (not rotated away, not revoked). */
  isRefreshTokenActive(refreshToken: string): boolean;
  /** Whether an access token was issued and not revoked (expiry is not considered). */
  isAccessTokenActive(accessToken: string): boolean;
  /** An access token for `settings.user` (JWT or opaque), known to introspection. */
  accessToken(request?: AccessTokenRequest): Promise<string>;
  /** Plays the user at the verification URI: approve (as `settings.user`), deny, or let the code expire. @see RFC 8628 §3.3 */
  decideDevice(userCode: string, decision: 'approve' | 'deny' | 'expire'): void;
  /** Signs with a new key from now on; the JWKS publishes both. */
  rotateSigningKey(): Promise<void>;
  /** Faults, calls and settings back to their initial values; keys and issued grants are kept. */
  reset(): void;
  /** A logout token signed by this provider (back-channel logout); options break one rule at a time. */
  logoutToken(options?: LogoutTokenOptions): Promise<string>;
  /** The provider session ids (`sid`) of every sign-in so far, oldest first. */
  issuedSids(): string[];
}
