import type { Query, QueryClient } from '@tanstack/react-query';
import { hashKey } from '@tanstack/react-query';

/**
 * The `meta` of a query that survives a change of user. The module's own queries carry it (the
 * session, the providers, its notices); an app may put it on public data it wants to keep.
 */
export const BFF_META = { bff: true } as const;

/** The module's own keys, known even for a query created by `setQueryData` (which carries no meta). */
const OWN = new Set(['session', 'providers', 'sign-in-again', 'silent-sign-in'].map((name) => hashKey(['bff', name])));

const isKept = (query: Query) => query.meta?.bff === true || OWN.has(query.queryHash);

/**
 * Resets every query of the QueryClient except the module's own (and those tagged `BFF_META`):
 * the previous user's data must not be shown to the next one. Default-deny on purpose: an app
 * that forgot to tag a query would leak it to the next user, where resetting a public query only
 * costs a refetch. Mounted queries refetch as the new user; the others are emptied. Resolves when
 * the refetches have settled. `<BffProvider>` calls it whenever the signed-in user changes.
 */
export function clearUserQueries(client: QueryClient): Promise<void> {
  return client.resetQueries({ predicate: (query) => !isKept(query) });
}
