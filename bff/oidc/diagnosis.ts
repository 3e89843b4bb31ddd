import * as oidc from 'openid-client';
import type { Config } from '../config.ts';

/**
 * What went wrong with the provider, in words an operator can act on: `cause` says what happened
 * (with the values involved), `fix` what to change. Shown in the log, on /readyz and on the
 * sign-in error page, so it never carries a secret: only URLs, ids and the provider's own words.
 */
export interface Diagnosis {
  /** Stable machine-readable reason, e.g. `issuer_mismatch`. */
  reason: string;
  cause: string;
  fix: string;
}

type Provider = Pick<Config, 'redirectUri'> & { oidc: Pick<Config['oidc'], 'issuer' | 'clientId' | 'clientAuth' | 'scopes'> };

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS/;

/** The discovery URL openid-client requests for this issuer (OIDC Discovery §4.1). */
export function wellKnownUrl(issuer: URL): string {
  return `${issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/** The innermost `code` of a fetch failure: undici puts ECONNREFUSED, ENOTFOUND, cert errors in `cause`. */
function networkCode(err: unknown): { code?: string; message?: string } {
  let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 4; depth++, e = e.cause as typeof e) {
    if (typeof e.code === 'string' && !e.code.startsWith('OAUTH_')) return { code: e.code, message: typeof e.message === 'string' ? e.message : undefined };
  }
  return {};
}

/** Why discovery failed. `err` is what openid-client's discovery() threw. */
export function diagnoseDiscovery(err: unknown, p: Provider): Diagnosis {
  const issuer = p.oidc.issuer.href;
  const url = wellKnownUrl(p.oidc.issuer);
  const code = (err as { code?: unknown })?.code;
  if (code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
    const body = (err as { cause?: { body?: { issuer?: unknown } } }).cause?.body;
    const found = typeof body?.issuer === 'string' ? body.issuer : '(none)';
    return {
      reason: 'issuer_mismatch',
      cause: `The discovery document at ${url} names the issuer ${found}, but OIDC_ISSUER is ${issuer}.`,
      fix: `Set OIDC_ISSUER to exactly ${found} (trailing slash included) if that is your provider; tokens are checked against this value.`,
    };
  }
  if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_RESPONSE_IS_NOT_JSON') {
    const status = (err as { cause?: { status?: unknown } }).cause?.status;
    if (status === 404) {
      return {
        reason: 'discovery_not_found',
        cause: `${url} answered 404 Not Found: there is no discovery document at this issuer.`,
        fix: 'Set OIDC_ISSUER to the issuer itself, the URL in front of /.well-known/openid-configuration (Keycloak: https://host/realms/<realm>, Entra ID: https://login.microsoftonline.com/<tenant>/v2.0).',
      };
    }
    const what = typeof status === 'number' && status !== 200 ? `answered HTTP ${status}` : 'did not answer with a JSON discovery document';
    return {
      reason: 'discovery_failed',
      cause: `${url} ${what}.`,
      fix: typeof status === 'number' && status >= 500 ? 'The provider has a problem; the BFF retries on the next sign-in or /readyz probe.' : 'Check that OIDC_ISSUER is the issuer URL of an OpenID Provider.',
    };
  }
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return { reason: 'discovery_timeout', cause: `${url} did not answer in time.`, fix: 'Check that the provider is up and reachable from this machine (firewall, proxy).' };
  }
  const net = networkCode(err);
  if (net.code === 'ECONNREFUSED') {
    return {
      reason: 'discovery_unreachable',
      cause: `Nothing accepts connections at ${p.oidc.issuer.host} (connection refused) for ${url}.`,
      fix: 'Check the host and port in OIDC_ISSUER, and that the provider is running.',
    };
  }
  if (net.code === 'ENOTFOUND' || net.code === 'EAI_AGAIN') {
    return {
      reason: 'discovery_dns',
      cause: `The host name ${p.oidc.issuer.hostname} could not be resolved (DNS ${net.code}).`,
      fix: 'Check the host name in OIDC_ISSUER, and this machine\'s DNS (or proxy) settings.',
    };
  }
  if (net.code && TLS_CODES.test(net.code)) {
    return {
      reason: 'discovery_tls',
      cause: `The TLS connection to ${p.oidc.issuer.host} failed: ${net.message ?? net.code} (${net.code}).`,
      fix: 'The provider must present a certificate this machine trusts, for this host name. For a private CA, start the BFF with NODE_EXTRA_CA_CERTS=/path/to/ca.pem.',
    };
  }
  if (err instanceof TypeError || net.code) {
    return {
      reason: 'discovery_unreachable',
      cause: `${url} could not be reached${net.code ? ` (${net.code})` : ''}.`,
      fix: 'Check OIDC_ISSUER and that the provider is reachable from this machine.',
    };
  }
  return {
    reason: 'discovery_failed',
    cause: `The discovery document at ${url} was not usable: ${err instanceof Error ? err.message : String(err)}.`,
    fix: 'Check that OIDC_ISSUER is the issuer URL of an OpenID Provider.',
  };
}

/** What the provider's metadata says it cannot do for us (warnings: discovery itself succeeded). */
export function diagnoseMetadata(server: oidc.ServerMetadata, p: Provider): Diagnosis[] {
  const found: Diagnosis[] = [];
  const methods = server.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes('S256')) {
    found.push({
      reason: 'pkce_unsupported',
      cause: `The provider advertises code_challenge_methods_supported ${JSON.stringify(methods)}, without S256; the BFF always uses PKCE S256.`,
      fix: 'Enable PKCE with S256 for this client at the provider (Keycloak: Advanced → Proof Key for Code Exchange Code Challenge Method = S256).',
    });
  }
  const supported = server.scopes_supported;
  if (Array.isArray(supported)) {
    const missing = p.oidc.scopes.split(' ').filter((s) => !supported.includes(s));
    if (missing.length > 0) {
      found.push({
        reason: 'scope_unsupported',
        cause: `The provider does not list ${missing.join(', ')} in scopes_supported (${supported.join(' ')}).`,
        fix: `Remove ${missing.join(', ')} from OIDC_SCOPES, or enable ${missing.length > 1 ? 'them' : 'it'} at the provider (sign-in may fail with invalid_scope).`,
      });
    }
  }
  return found;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * An error the provider returned during sign-in (at the authorization endpoint, or at the token
 * endpoint when the code is redeemed), when it points at our configuration. Undefined for the
 * ordinary ones (access_denied, login_required…), which are the user's business.
 */
export function diagnoseSignInError(error: string, description: string, p: Provider): Diagnosis | undefined {
  // A rejected code (expired, replayed, injected: its PKCE verifier or redirect_uri do not match)
  // is about this sign-in attempt, never a configuration to change.
  if (error === 'invalid_grant') return undefined;
  const words = `${error} ${description}`;
  if (error === 'invalid_client' || error === 'unauthorized' || /client authentication|client_secret|invalid client secret/i.test(words)) {
    return {
      reason: 'invalid_client',
      cause: `The provider rejected the BFF's client authentication (client ${p.oidc.clientId}, ${p.oidc.clientAuth})${description ? `: ${description}` : ''}.`,
      fix: `Check OIDC_CLIENT_SECRET (the secret's value, not its id) and OIDC_CLIENT_AUTH: the provider may expect ${p.oidc.clientAuth === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic'}.`,
    };
  }
  if (/redirect[_ ]?ur[il]|callback url|reply url|AADSTS50011/i.test(words)) {
    return {
      reason: 'redirect_uri_not_registered',
      cause: `The provider did not accept the redirect URI ${p.redirectUri}${description ? `: ${description}` : ` (${error})`}.`,
      fix: `Register exactly ${p.redirectUri} as a redirect (callback) URI of client ${p.oidc.clientId} at the provider, or set BFF_PUBLIC_URL to the origin you did register.`,
    };
  }
  if (/code_challenge|pkce/i.test(words)) {
    return {
      reason: 'pkce_unsupported',
      cause: `The provider refused PKCE (code_challenge_method S256)${description ? `: ${description}` : ''}.`,
      fix: 'Enable PKCE with S256 for this client at the provider; the BFF always sends it.',
    };
  }
  if (error === 'invalid_scope' || /\bscope/i.test(description)) {
    return {
      reason: 'scope_unsupported',
      cause: `The provider refused the requested scopes "${p.oidc.scopes}"${description ? `: ${description}` : ''}.`,
      fix: 'Remove the scope it refuses from OIDC_SCOPES, or allow it for this client at the provider.',
    };
  }
  if (error === 'unauthorized_client' || error === 'unsupported_response_type') {
    return {
      reason: error,
      cause: `The provider does not let client ${p.oidc.clientId} use the authorization code flow${description ? `: ${description}` : ''}.`,
      fix: 'Enable the authorization code grant (Keycloak: Standard flow; Auth0: Regular Web Application) and the refresh token grant for this client.',
    };
  }
  return undefined;
}

/** The error and description of an openid-client error from the token endpoint, if it is one. */
export function providerErrorOf(err: unknown): { error: string; description: string } | undefined {
  if (err instanceof oidc.ResponseBodyError) return { error: err.error, description: text(err.error_description) };
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    const first = err.cause[0]?.parameters;
    return { error: text(first?.error) || (err.status === 401 ? 'invalid_client' : 'invalid_request'), description: text(first?.error_description) };
  }
  return undefined;
}
