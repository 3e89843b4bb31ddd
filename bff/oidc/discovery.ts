import * as oidc from 'openid-client';
import type { Config, ProviderConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { ProviderUnavailable } from '../errors.ts';
import { createIdTokenVerifier } from './id-token-signature.ts';
import { diagnoseDiscovery, diagnoseMetadata, type Diagnosis } from './diagnosis.ts';

/** The provider's name in logs and on /readyz (the environment's OIDC_* define `default`). */
export const DEFAULT_PROVIDER = 'default';

export interface ProviderDeps {
  /** Injected so tests (msw) and operators (proxies) control the network. Defaults to global fetch. */
  fetch?: oidc.CustomFetch;
  /** Where discovery says why it failed; optional so unit tests can build a client alone. */
  log?: Logger;
}

/**
 * The provider's metadata, discovered once. The promise is cached so concurrent requests share one
 * discovery, and evicted on failure so one outage at start-up does not poison the process. Each
 * failure is diagnosed (cause and fix) and kept for /readyz and the sign-in error page.
 * @see OpenID Connect Discovery 1.0 §4
 */
export function createProviderClient(config: Config, deps: ProviderDeps = {}, provider: ProviderConfig = config.oidc) {
  let pending: Promise<oidc.Configuration> | undefined;
  let loaded = false;
  let problem: Diagnosis | undefined;
  const { issuer, clientId, clientSecret, clientAuth, name } = provider;
  // The diagnosis reads the provider it judges where the single-provider code read config.oidc.
  const judged = { redirectUri: config.redirectUri, oidc: provider };
  const auth = clientAuth === 'client_secret_post' ? oidc.ClientSecretPost(clientSecret) : oidc.ClientSecretBasic(clientSecret);
  // config.ts only lets a plain-http issuer through on loopback.
  const insecure = issuer.protocol === 'http:';

  async function discover(): Promise<oidc.Configuration> {
    // OIDC Core §3.1.3.7 lets a client skip the ID token's signature when it came over TLS from
    // the token endpoint; we check it anyway (a compromised or spoofed endpoint is in our threat
    // model), in id-token-signature.ts: openid-client's own check refuses HS256/384/512 outright.
    const execute = insecure ? [oidc.allowInsecureRequests] : [];
    // openid-client counts in seconds; this timeout applies to every later call of the Configuration too.
    const options: oidc.DiscoveryRequestOptions = { timeout: config.providerTimeoutMs / 1000, execute };
    if (deps.fetch) options[oidc.customFetch] = deps.fetch;
    return oidc.discovery(issuer, clientId, { client_secret: clientSecret }, auth, options);
  }

  function loadedFine(c: oidc.Configuration): oidc.Configuration {
    loaded = true;
    problem = undefined;
    deps.log?.info({ event: 'provider_ready', provider: name, issuer: issuer.href });
    for (const warning of diagnoseMetadata(c.serverMetadata(), judged)) deps.log?.warn({ event: 'provider_warning', provider: name, ...warning });
    return c;
  }

  function failed(err: unknown): never {
    pending = undefined;
    const diagnosis = diagnoseDiscovery(err, judged);
    // Readiness probes retry every few seconds: say it loudly once per distinct cause.
    const level = problem?.cause === diagnosis.cause ? 'debug' : 'warn';
    problem = diagnosis;
    deps.log?.[level]({ event: 'provider_not_ready', provider: name, issuer: issuer.href, ...diagnosis });
    throw new ProviderUnavailable(err);
  }

  function configuration(): Promise<oidc.Configuration> {
    pending ??= discover().then(loadedFine, failed);
    return pending;
  }

  return {
    /** The provider this client talks to. */
    provider,
    /** Call with every ID token a grant returned, before trusting it. */
    verifyIdTokenSignature: createIdTokenVerifier(provider, { ...(deps.fetch ? { fetch: deps.fetch } : {}), timeoutMs: config.providerTimeoutMs }),
    configuration,
    isReady: () => loaded,
    /** Why the last discovery failed; undefined once loaded or before the first attempt ends. */
    problem: (): Diagnosis | undefined => (loaded ? undefined : problem),
    /** The discovery in flight, if any; settles (never rejects) when it ends. */
    settled: (): Promise<void> => (pending ? pending.then(() => undefined, () => undefined) : Promise.resolve()),
  };
}

export type ProviderClient = ReturnType<typeof createProviderClient>;
