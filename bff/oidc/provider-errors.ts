import * as oidc from 'openid-client';

/**
 * The one map from openid-client's errors to what they mean for us: the provider rejected the
 * grant (`rejected`, e.g. invalid_grant), the provider is down or broken (`unavailable`: network,
 * timeout, 5xx, unparseable answer), or the response failed validation (`invalid`).
 */
export type ProviderErrorKind = 'rejected' | 'unavailable' | 'invalid';

export function providerErrorKind(err: unknown): ProviderErrorKind {
  if (err instanceof oidc.ResponseBodyError) return err.status >= 500 ? 'unavailable' : 'rejected';
  if (err instanceof oidc.WWWAuthenticateChallengeError) return 'rejected';
  // fetch rejects with TypeError on network failure; AbortSignal.timeout with DOMException TimeoutError.
  if (err instanceof TypeError || (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))) return 'unavailable';
  const code = (err as { code?: unknown })?.code;
  // oauth4webapi: a non-JSON or unexpected-status answer (a 5xx HTML page, a proxy error).
  if (code === 'OAUTH_RESPONSE_IS_NOT_JSON' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') {
    const status = (err as { cause?: { status?: unknown } }).cause?.status;
    return typeof status === 'number' && status < 500 ? 'invalid' : 'unavailable';
  }
  return 'invalid';
}
