/**
 * What the session cookie holds. Deliberately not the ID token: the BFF needs only the user's
 * claims (for /auth/session) and the tokens it sends or refreshes. See README.md, "Sessions in cookies, and big tokens".
 */
export interface SessionData {
  v: 1;
  /** Random id for this session; the logout URL must carry it (CSRF-safe logout). */
  sid: string;
  /** Issuer the tokens came from. */
  iss: string;
  /** The configured provider's name. */
  provider?: string;
  /** The provider's session id (the ID token's `sid`), which a back-channel logout names. */
  psid?: string;
  /** ID token claims minus protocol claims (iss, aud, exp, nonce, hashes …). */
  user: Record<string, unknown> & { sub: string };
  /** Access token and its expiry, epoch seconds. */
  at: string;
  atExp: number;
  rt?: string;
  /** Scopes granted to the access token, when the token response said (RFC 6749 §5.1); else those requested. */
  scope?: string;
  /** Epoch seconds: sign-in time (absolute timeout) and last activity (idle timeout, coarse). */
  createdAt: number;
  seenAt: number;
}

/** Claims that describe the token, not the user; they are dropped before the claims are stored. */
export const PROTOCOL_CLAIMS = new Set(['iss', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'at_hash', 'c_hash', 's_hash', 'azp', 'jti', 'auth_time', 'acr', 'amr', 'sid']);

/** Claims kept when the full set would not fit in the cookie budget. */
export const ESSENTIAL_CLAIMS = ['sub', 'name', 'preferred_username', 'email', 'email_verified', 'given_name', 'family_name', 'picture', 'roles'];
