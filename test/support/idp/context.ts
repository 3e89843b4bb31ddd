import type { JWK } from 'jose';
import type { SigningKeys } from './keys.ts';
import type { GrantStore } from './store.ts';
import type { IdpCalls, IdpFaults, IdpSettings, MockClient } from './types.ts';

/** The issuer a mix-up attacker would claim a response or token came from. */
export const WRONG_ISSUER = 'https://attacker.example.test';

/** Where each endpoint lives, derived once from the issuer. */
export interface IdpEndpoints {
  discovery: string;
  jwks: string;
  authorize: string;
  token: string;
  userinfo: string;
  revocation: string;
  endSession: string;
  introspection: string;
  deviceAuthorization: string;
}

/** The state one provider's handlers share; handlers read `faults`/`settings` per request so tests can flip them. */
export interface IdpContext {
  readonly issuer: string;
  readonly endpoints: IdpEndpoints;
  readonly clients: readonly MockClient[];
  readonly advertiseIss: boolean;
  readonly endSession: boolean;
  readonly revocation: boolean;
  readonly introspection: boolean;
  readonly idTokenAlg: 'RS256' | 'HS256' | 'HS384' | 'HS512';
  readonly idTokenClaims: 'all' | 'minimal';
  /** The key that signs now; `retiredJwks` are still published (after `rotateSigningKey`). */
  keys: SigningKeys;
  readonly retiredJwks: JWK[];
  readonly store: GrantStore;
  faults: IdpFaults;
  settings: IdpSettings;
  readonly calls: IdpCalls;
}

export function endpointsOf(issuer: string): IdpEndpoints {
  return {
    discovery: `${issuer}/.well-known/openid-configuration`,
    jwks: `${issuer}/jwks`,
    authorize: `${issuer}/authorize`,
    token: `${issuer}/token`,
    userinfo: `${issuer}/userinfo`,
    revocation: `${issuer}/revoke`,
    endSession: `${issuer}/end-session`,
    introspection: `${issuer}/introspect`,
    deviceAuthorization: `${issuer}/device_authorization`,
  };
}

export function emptyCalls(): IdpCalls {
  return { discovery: 0, jwks: 0, authorize: [], tokenCode: 0, tokenRefresh: 0, tokenClientCredentials: [], userinfo: 0, revocations: [], endSession: [], introspection: 0, deviceAuthorization: 0, tokenDeviceCode: 0 };
}

export function findClient(ctx: IdpContext, clientId: string | null | undefined): MockClient | undefined {
  return clientId ? ctx.clients.find((c) => c.client_id === clientId) : undefined;
}
