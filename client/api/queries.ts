import { paths } from '../../shared/paths.ts';
import { bffQueryOptions } from '../bff/index.ts';
import { meSchema, notesSchema } from './schemas.ts';

/** The demo API's queries. Their keys need no common prefix: the module clears every app query when the user changes. */
export const queryKeys = {
  me: ['demo-api', 'me'],
  notes: ['demo-api', 'notes'],
} as const;

export const apiPath = {
  me: `${paths.api}/me`,
  notes: `${paths.api}/notes`,
  noteEvents: `${paths.api}/notes/events`,
  note: (id: string) => `${paths.api}/notes/${encodeURIComponent(id)}`,
} as const;

export function meQuery() {
  return bffQueryOptions(queryKeys.me, apiPath.me, meSchema);
}

export function notesQuery() {
  return bffQueryOptions(queryKeys.notes, apiPath.notes, notesSchema);
}
