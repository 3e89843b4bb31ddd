// oidc-provider ships no type declarations (and @types/oidc-provider is not installed), so this
// declares only the slice of the v9 API the demo provider uses. Shapes follow
// node_modules/oidc-provider/lib (provider.js, helpers/defaults.js, models/grant.js).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The Koa context oidc-provider hands to configuration helpers (only what we touch). */
  export interface KoaContextWithOIDC {
    host: string;
    type: string;
    body: unknown;
    status: number;
    oidc?: { client?: { clientId: string; clientName?: string } };
  }

  export interface AccountClaims {
    sub: string;
    [claim: string]: unknown;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string, claims: unknown, rejected: string[]): Promise<AccountClaims> | AccountClaims;
  }

  /** A token as seen by `extraTokenClaims` (AccessToken, ClientCredentials, ...). */
  export interface TokenForClaims {
    kind: string;
    accountId?: string;
    clientId?: string;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
    jwt?: { sign?: { alg?: string } };
  }

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    redirect_uris: string[];
    post_logout_redirect_uris?: string[];
    grant_types?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
    id_token_signed_response_alg?: string;
    [key: string]: unknown;
  }

  export interface AdapterPayload {
    jti?: string;
    uid?: string;
    grantId?: string;
    userCode?: string;
    consumed?: number;
    [key: string]: unknown;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface JWKS {
    keys: Array<Record<string, unknown>>;
  }

  type Ctx = KoaContextWithOIDC;

  // Deliberately loose: oidc-provider validates the configuration itself at construction.
  export interface Configuration {
    adapter?: (model: string) => Adapter;
    clients?: ClientMetadata[];
    jwks?: JWKS;
    cookies?: { keys?: string[]; long?: Record<string, unknown>; short?: Record<string, unknown> };
    claims?: Record<string, string[] | null>;
    scopes?: string[];
    conformIdTokenClaims?: boolean;
    responseTypes?: string[];
    clientAuthMethods?: string[];
    pkce?: { required?: (ctx: Ctx, client: unknown) => boolean };
    features?: Record<string, Record<string, unknown>>;
    findAccount?: (ctx: Ctx, sub: string, token?: unknown) => Promise<Account | undefined>;
    extraTokenClaims?: (ctx: Ctx, token: TokenForClaims) => Promise<Record<string, unknown> | undefined>;
    rotateRefreshToken?: boolean | ((ctx: Ctx) => boolean);
    clientBasedCORS?: (ctx: Ctx, origin: string, client: unknown) => boolean;
    renderError?: (ctx: Ctx, out: Record<string, string>, error: Error) => Promise<void>;
    interactions?: { url?: (ctx: Ctx, interaction: { uid: string }) => Promise<string> | string; policy?: InteractionPolicy };
    /** acr values the provider may issue (OIDC Discovery `acr_values_supported`). */
    acrValues?: string[];
    enabledJWA?: { idTokenSigningAlgValues?: string[]; [key: string]: string[] | undefined };
    ttl?: Record<string, number | ((...args: never[]) => number)>;
    /** Outgoing requests (back-channel logout, sector identifiers…); `options` carries an SSRF-guarding dispatcher. */
    fetch?: (url: URL | string, options: RequestInit & { dispatcher?: unknown }) => Promise<Response>;
  }

  export interface PromptDetails {
    name: 'login' | 'consent' | string;
    reasons: string[];
    details: {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
      [key: string]: unknown;
    };
  }

  export interface InteractionDetails {
    uid: string;
    prompt: PromptDetails;
    params: Record<string, unknown> & { client_id?: string; scope?: string };
    session?: { accountId: string; uid?: string };
    grantId?: string;
    returnTo: string;
  }

  /** What a prompt check sees (helpers/interaction_policy/check.js). */
  export interface CheckContext {
    oidc: { params: Record<string, unknown>; acr?: string };
  }

  export interface Check {
    readonly reason: string;
  }

  export interface CheckConstructor {
    new (reason: string, description: string, check: (ctx: CheckContext) => boolean): Check;
    readonly REQUEST_PROMPT: true;
    readonly NO_NEED_TO_PROMPT: false;
  }

  export interface Prompt {
    readonly name: string;
    readonly checks: { add(check: Check, index?: number): void };
  }

  export interface InteractionPolicy {
    get(name: string): Prompt | undefined;
  }

  export const interactionPolicy: { base(): InteractionPolicy; Check: CheckConstructor };

  export interface InteractionResults {
    /** `acr` / `amr`: how the user authenticated (OIDC Core §2), carried into the ID token. */
    login?: { accountId: string; remember?: boolean; acr?: string; amr?: string[] };
    consent?: { grantId: string };
    error?: string;
    error_description?: string;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantConstructor {
    new (properties: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    readonly Grant: GrantConstructor;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export const errors: Record<string, new (...args: unknown[]) => Error>;
}
