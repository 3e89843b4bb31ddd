import { useQuery } from '@tanstack/react-query';
import type { SessionResponse, UserClaims } from '../../shared/session.ts';
import { sessionQuery } from '../api/queries.ts';

export type SignedInSession = Extract<SessionResponse, { authenticated: true }>;

/** The BFF's view of who is signed in; validated against the shared schema on every read. */
export function useSession() {
  return useQuery(sessionQuery());
}

/** What to call the user: the first human-friendly claim the provider gave us. */
export function displayName(user: UserClaims): string {
  for (const claim of ['name', 'preferred_username', 'email'] as const) {
    const value = user[claim];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return user.sub;
}
