import { queryOptions } from '@tanstack/react-query';
import { paths } from '../../shared/paths.ts';
import { bffJson } from './bffFetch.ts';
import { meSchema, notesSchema, sessionResponseSchema } from './schemas.ts';

/** Keys in one place: `['api']` prefixes everything that belongs to the signed-in user. */
export const queryKeys = {
  session: ['auth', 'session'],
  api: ['api'],
  me: ['api', 'me'],
  notes: ['api', 'notes'],
} as const;

export const apiPath = {
  me: `${paths.api}/me`,
  notes: `${paths.api}/notes`,
  note: (id: string) => `${paths.api}/notes/${encodeURIComponent(id)}`,
} as const;

export function sessionQuery() {
  return queryOptions({
    queryKey: queryKeys.session,
    queryFn: ({ signal }) => bffJson(paths.session, sessionResponseSchema, { signal }),
    staleTime: 60_000,
    // Another tab, or the provider, may have ended the session while this tab was hidden.
    refetchOnWindowFocus: 'always',
  });
}

export function meQuery() {
  return queryOptions({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => bffJson(apiPath.me, meSchema, { signal }),
  });
}

export function notesQuery() {
  return queryOptions({
    queryKey: queryKeys.notes,
    queryFn: ({ signal }) => bffJson(apiPath.notes, notesSchema, { signal }),
  });
}
