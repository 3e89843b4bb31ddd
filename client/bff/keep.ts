import type { Query, QueryClient } from '@tanstack/react-query';

/**
 * The module's own queries (the session, the providers, its notices) carry this `meta`; they
 * survive a change of user. Everything else in the QueryClient is the app's, and is reset.
 */
export const BFF_META = { bff: true } as const;

const isOwn = (query: Query) => query.meta?.bff === true;

/**
 * Resets every query of the QueryClient except the module's own: the previous user's data must
 * not be shown to the next one. Default-deny on purpose: an app that forgot to tag a query would
 * leak it to the next user, where resetting a public query only costs a refetch. Mounted queries
 * refetch as the new user; the others are emptied. Settles when the refetches have.
 */
export function clearUserQueries(client: QueryClient): Promise<void> {
  return client.resetQueries({ predicate: (query) => !isOwn(query) });
}
