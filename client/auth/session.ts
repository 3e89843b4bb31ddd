import type { BffSession, UserClaims } from '../bff/index.ts';

/** The signed-in state of the module's session hook: what the screens behind `SessionGate` receive. */
export type SignedInSession = Extract<BffSession, { status: 'signedIn' }>;

/** What to call the user: the first human-friendly claim the provider gave us. */
export function displayName(user: UserClaims): string {
  for (const claim of ['name', 'preferred_username', 'email'] as const) {
    const value = user[claim];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return user.sub;
}
