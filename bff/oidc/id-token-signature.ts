import * as jose from 'jose';
import type * as oidc from 'openid-client';
import type { ProviderConfig } from '../config.ts';

const SYMMETRIC = new Set(['HS256', 'HS384', 'HS512']);

/** An ID token whose signature does not hold: a failed sign-in or refresh, never a 5xx. */
export class IdTokenSignatureInvalid extends Error {}

/**
 * Checks an ID token's signature, as openid-client's non-repudiation check did, with one thing it
 * refuses: `HS256/384/512`, keyed with the UTF-8 octets of the client secret (OIDC Core §10.1),
 * which some providers use by default. Asymmetric tokens are checked against the provider's JWKS
 * (cached by jose, refetched on an unknown `kid`) with the algorithms its metadata names; `none`
 * never passes. Claims (iss, aud, exp, nonce) stay openid-client's job.
 * @see OIDC Core §3.1.3.7 (6), §10.1
 */
export function createIdTokenVerifier(provider: ProviderConfig, options: { fetch?: oidc.CustomFetch; timeoutMs: number }) {
  let jwks: { uri: string; get: ReturnType<typeof jose.createRemoteJWKSet> } | undefined;
  const secret = new TextEncoder().encode(provider.clientSecret);

  function keySet(uri: string) {
    if (jwks?.uri !== uri) {
      const remote: Parameters<typeof jose.createRemoteJWKSet>[1] = { timeoutDuration: options.timeoutMs };
      if (options.fetch) remote[jose.customFetch] = options.fetch as unknown as jose.FetchImplementation;
      jwks = { uri, get: jose.createRemoteJWKSet(new URL(uri), remote) };
    }
    return jwks.get;
  }

  return async function verifyIdTokenSignature(server: oidc.Configuration, idToken: string | undefined): Promise<void> {
    if (idToken === undefined) return;
    let alg: string | undefined;
    try {
      alg = jose.decodeProtectedHeader(idToken).alg;
    } catch {
      throw new IdTokenSignatureInvalid('the ID token is not a JWS');
    }
    // Only what the provider says it signs with (RS256 when it says nothing, OIDC Discovery §3):
    // an RS256 provider's token MACed with our own secret is algorithm confusion, not a token.
    const metadata = server.serverMetadata();
    const algorithms = (metadata.id_token_signing_alg_values_supported ?? ['RS256']).filter((a) => a !== 'none');
    if (alg === undefined || !algorithms.includes(alg)) throw new IdTokenSignatureInvalid(`the ID token is signed with ${alg ?? 'no algorithm'}, which the provider does not list`);
    if (SYMMETRIC.has(alg)) {
      await jose.compactVerify(idToken, secret, { algorithms: [alg] }).catch(() => {
        throw new IdTokenSignatureInvalid('the ID token signature does not hold');
      });
      return;
    }
    if (!metadata.jwks_uri) throw new IdTokenSignatureInvalid('the provider publishes no jwks_uri');
    try {
      await jose.compactVerify(idToken, keySet(metadata.jwks_uri), { algorithms: [alg] });
    } catch (err) {
      // A JWKS that cannot be fetched is the provider being unavailable, not a forged token.
      if (err instanceof jose.errors.JWKSTimeout || err instanceof TypeError || (err instanceof jose.errors.JOSEError && err.code === 'ERR_JOSE_GENERIC')) throw err;
      throw new IdTokenSignatureInvalid('the ID token signature does not hold');
    }
  };
}
