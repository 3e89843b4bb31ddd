import type { DeviceAuthorization } from './device.ts';
import { randomToken } from './keys.ts';

/** Everything a code binds, checked again at the token endpoint. @see RFC 6749 §4.1.3 */
export interface AuthorizationCode {
  readonly client_id: string;
  readonly redirect_uri: string;
  readonly code_challenge: string;
  readonly nonce: string | undefined;
  readonly scope: string;
  readonly claims: Record<string, unknown>;
  readonly auth_time: number;
  readonly sid: string;
  /** The authentication's class, when the sign-in had one (from `acr_values`, OIDC Core §3.1.2.1). */
  readonly acr: string | undefined;
  readonly expiresAt: number;
  used: boolean;
  /** The grant family the code was redeemed into, so a replay can revoke it. */
  grantId?: string;
}

/** One sign-in and everything issued from it (the "family" of RFC 9700 §4.14.2). */
export interface Grant {
  readonly id: string;
  readonly client_id: string;
  readonly sub: string;
  readonly sid: string;
  readonly auth_time: number;
  readonly acr: string | undefined;
  readonly scope: string;
  readonly claims: Record<string, unknown>;
  revoked: boolean;
}

export interface RefreshToken { readonly grantId: string; rotated: boolean; revoked: boolean }
export interface AccessToken { readonly grantId: string; readonly scope: string; readonly expiresAt: number; revoked: boolean }

const CODE_TTL_S = 60;

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Per-provider state of codes, grants and tokens; never shared between providers. */
export class GrantStore {
  readonly codes = new Map<string, AuthorizationCode>();
  readonly grants = new Map<string, Grant>();
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly devices = new Map<string, DeviceAuthorization>();

  issueCode(binding: Omit<AuthorizationCode, 'used' | 'expiresAt' | 'grantId'>): string {
    const code = randomToken('code');
    this.codes.set(code, { ...binding, used: false, expiresAt: nowSeconds() + CODE_TTL_S });
    return code;
  }

  openGrant(code: AuthorizationCode): Grant {
    const sub = code.claims.sub;
    if (typeof sub !== 'string') throw new TypeError('mock IdP: settings.user.sub must be a string');
    const grant: Grant = {
      id: randomToken('grant'), client_id: code.client_id, sub, sid: code.sid,
      auth_time: code.auth_time, acr: code.acr, scope: code.scope, claims: code.claims, revoked: false,
    };
    this.grants.set(grant.id, grant);
    code.grantId = grant.id;
    return grant;
  }

  issueAccessToken(grant: Grant, scope: string, ttl: number): string {
    const token = randomToken('at');
    this.accessTokens.set(token, { grantId: grant.id, scope, expiresAt: nowSeconds() + ttl, revoked: false });
    return token;
  }

  issueRefreshToken(grant: Grant): string {
    const token = randomToken('rt');
    this.refreshTokens.set(token, { grantId: grant.id, rotated: false, revoked: false });
    return token;
  }

  /** Revoking the grant invalidates every token descended from it at once. */
  revokeGrant(grantId: string | undefined): void {
    const grant = grantId === undefined ? undefined : this.grants.get(grantId);
    if (grant) grant.revoked = true;
  }

  grantOf(token: { grantId: string } | undefined): Grant | undefined {
    return token && this.grants.get(token.grantId);
  }

  isRefreshTokenActive(value: string): boolean {
    const token = this.refreshTokens.get(value);
    return !!token && !token.rotated && !token.revoked && !this.grantOf(token)?.revoked;
  }

  isAccessTokenActive(value: string): boolean {
    const token = this.accessTokens.get(value);
    return !!token && !token.revoked && !this.grantOf(token)?.revoked;
  }
}
