import type { QueryKey } from '@tanstack/react-query';
import { queryOptions } from '@tanstack/react-query';
import type { BffRequestInit, BffSchema } from './fetch.ts';
import { bffJson } from './fetch.ts';

/**
 * React Query options for a GET through the BFF: `bffJson(path, schema)` with the query's abort
 * signal. Spread more options over it (`{ ...bffQueryOptions(…), staleTime: 30_000 }`). Any key
 * works: the user's queries are cleared on sign-out whatever their key (see `clearUserQueries`).
 */
export function bffQueryOptions<T, TKey extends QueryKey>(queryKey: TKey, path: string, schema: BffSchema<T>, init?: BffRequestInit) {
  return queryOptions<T, Error, T, TKey>({
    queryKey,
    queryFn: ({ signal }) => bffJson(path, schema, { ...init, signal }),
  });
}
