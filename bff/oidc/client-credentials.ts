import * as oidc from 'openid-client';
import type { ProviderClient } from './discovery.ts';
import type { ClientCredentialsGrant } from '../tokens/client-credentials.ts';
import { ProviderUnavailable } from '../errors.ts';
import { tokenFields } from './refresh.ts';

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
    try {
      // tokenFields refuses a token_type other than Bearer: the relay sends `Authorization: Bearer`,
      // and a DPoP-bound token sent that way would be misused. Its lifetime default is shared too.
      const { at, atExp } = tokenFields(await oidc.clientCredentialsGrant(server, parameters), nowS());
      return { accessToken: at, expiresAt: atExp };
    } catch (err) {
      throw new ProviderUnavailable(err);
    }
  };
}
