import type { Config } from '../config.ts';
import type { SessionData } from '../session/data.ts';
import { createProviderClient, type ProviderClient, type ProviderDeps } from './discovery.ts';

/**
 * One client per configured provider, each with its own discovery cache (evicted on failure), so
 * one provider's outage neither blocks nor poisons another. A session goes back to the provider
 * that signed it in, and only to it.
 * @see CONTRACT.md, second part, "Several providers, login parameters, step-up"
 */
export function createProviders(config: Config, deps: ProviderDeps = {}) {
  const byName = new Map<string, ProviderClient>();
  for (const p of Object.values(config.providers)) byName.set(p.name, p === config.oidc ? createProviderClient(config, deps) : createProviderClient(config, deps, p));
  const fallback = byName.get(config.oidc.name)!;

  return {
    /** The provider sign-in uses when none is named. */
    default: fallback,
    all: [...byName.values()],
    /** By configured name; undefined when no provider has it. */
    named: (name: string): ProviderClient | undefined => byName.get(name),
    /**
     * The session's provider. A session signed by a provider since removed from the config has
     * none: undefined, and its caller ends it rather than send its tokens elsewhere.
     */
    of: (session: Pick<SessionData, 'provider'>): ProviderClient | undefined => byName.get(session.provider ?? fallback.provider.name),
  };
}

export type Providers = ReturnType<typeof createProviders>;
