import type { UserClaims } from '../../../shared/session.ts';

/**
 * Whether to offer "Add note" and "Delete": the demo API allows them to the `editor` role only
 * (and refuses everyone else whatever the screen shows). A provider that sends no `roles` claim
 * at all gets the buttons, and the API's answer decides.
 */
export function canEditNotes(user: UserClaims): boolean {
  const roles = user.roles;
  if (roles === undefined) return true;
  return Array.isArray(roles) ? roles.includes('editor') : roles === 'editor';
}

/** "an editor", "a reader": how the screens name the user's role. */
export function roleLabel(user: UserClaims): string | undefined {
  const roles = Array.isArray(user.roles) ? user.roles.filter((r): r is string => typeof r === 'string') : [];
  const role = roles.includes('editor') ? 'editor' : roles[0];
  if (!role) return undefined;
  return `${/^[aeiou]/i.test(role) ? 'an' : 'a'} ${role}`;
}
