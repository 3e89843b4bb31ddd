import * as oidc from 'openid-client';
import type { Config } from '../config.ts';
import { ProviderUnavailable } from '../errors.ts';

/** Seconds any single call to the provider may take before it counts as unavailable. */
const PROVIDER_TIMEOUT_S = 10;

export interface ProviderDeps {
  /** Injected so tests (msw) and operators (proxies) control the network. Defaults to global fetch. */
  fetch?: oidc.CustomFetch;
}

/**
 * The provider's metadata, discovered once. The promise is cached so concurrent requests share one
 * discovery, and evicted on failure so one outage at start-up does not poison the process.
 * @see OpenID Connect Discovery 1.0 §4
 */
export function createProviderClient(config: Config, deps: ProviderDeps = {}) {
  let pending: Promise<oidc.Configuration> | undefined;
  let loaded = false;
  const { issuer, clientId, clientSecret, clientAuth } = config.oidc;
  const auth = clientAuth === 'client_secret_post' ? oidc.ClientSecretPost(clientSecret) : oidc.ClientSecretBasic(clientSecret);
  // config.ts only lets a plain-http issuer through on loopback.
  const insecure = issuer.protocol === 'http:';

  async function discover(): Promise<oidc.Configuration> {
    // OIDC Core §3.1.3.7 lets a client skip the ID token's signature when it came over TLS from
    // the token endpoint; we check it anyway (a compromised or spoofed endpoint is in our threat model).
    const execute = insecure ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] : [oidc.enableNonRepudiationChecks];
    const options: oidc.DiscoveryRequestOptions = { timeout: PROVIDER_TIMEOUT_S, execute };
    if (deps.fetch) options[oidc.customFetch] = deps.fetch;
    return oidc.discovery(issuer, clientId, { client_secret: clientSecret }, auth, options);
  }

  function configuration(): Promise<oidc.Configuration> {
    pending ??= discover().then(
      (c) => {
        loaded = true;
        return c;
      },
      (err: unknown) => {
        pending = undefined;
        throw new ProviderUnavailable(err);
      },
    );
    return pending;
  }

  return { configuration, isReady: () => loaded };
}

export type ProviderClient = ReturnType<typeof createProviderClient>;
