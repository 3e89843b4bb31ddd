import { queryOptions } from '@tanstack/react-query';
import { paths } from '../../shared/paths.ts';
import { sessionResponseSchema } from '../../shared/session.ts';
import { bffJson } from './fetch.ts';
import { BFF_META } from './keep.ts';

export const SESSION_KEY = ['bff', 'session'] as const;

/**
 * The React Query options of `GET /auth/session` (validated against the shared schema), for
 * `useQuery`, `prefetchQuery` or a router loader. `useSession` uses exactly these.
 * @see CONTRACT.md "Routes of the BFF", `GET /auth/session`
 */
export function sessionQueryOptions() {
  return queryOptions({
    queryKey: SESSION_KEY,
    queryFn: ({ signal }) => bffJson(paths.session, sessionResponseSchema, { signal }),
    staleTime: 60_000,
    // Another tab, or the provider, may have ended the session while this tab was hidden.
    refetchOnWindowFocus: 'always',
    meta: BFF_META,
  });
}
