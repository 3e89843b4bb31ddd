import * as oidc from 'openid-client';
import type { ProviderClient } from './discovery.ts';
import type { ClientCredentialsGrant } from '../tokens/client-credentials.ts';
import { ProviderUnavailable } from '../errors.ts';

/** Assumed lifetime when the provider omits `expires_in` (RFC 6749 §5.1 makes it optional). */
const DEFAULT_EXPIRES_IN_S = 300;

/**
 * The client credentials grant at the `default` provider, with a route's `scope` and RFC 8707
 * `resource`. Any failure (network, 5xx, or an OAuth error such as `invalid_scope`, which is a
 * configuration mistake the log names) is a 503 `provider_unavailable`: the browser can do nothing
 * about it but try again later, and the route's data must not be relayed without its token.
 * @see RFC 6749 §4.4, RFC 8707 §2
 */
export function clientCredentialsGrant(provider: ProviderClient, nowS: () => number): ClientCredentialsGrant {
  return async ({ scope, resource }) => {
    const server = await provider.configuration();
    const parameters: Record<string, string> = {};
    if (scope) parameters.scope = scope;
    if (resource) parameters.resource = resource;
    let tokens: oidc.TokenEndpointResponse;
    try {
      tokens = await oidc.clientCredentialsGrant(server, parameters);
    } catch (err) {
      throw new ProviderUnavailable(err);
    }
    // The relay sends `Authorization: Bearer`; a DPoP-bound token sent that way would be misused.
    if (String(tokens.token_type).toLowerCase() !== 'bearer') throw new ProviderUnavailable(new Error(`client credentials token_type ${tokens.token_type} is not Bearer`));
    return { accessToken: tokens.access_token, expiresAt: nowS() + (tokens.expires_in ?? DEFAULT_EXPIRES_IN_S) };
  };
}
