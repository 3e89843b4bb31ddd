import { paths } from '../../shared/paths.ts';
import type { Diagnosis } from './diagnosis.ts';

/**
 * The SPA's sign-in error page: `error` (a code), `error_description` (what happened) and, when
 * we know it, `hint` (what to change). The page shows them as text only.
 */
export function loginErrorLocation(error: string, description: string, hint?: string): string {
  const query = new URLSearchParams({ error, error_description: description });
  if (hint) query.set('hint', hint);
  return `${paths.loginError}?${query}`;
}

/** Sign-in could not start or finish because discovery failed: say why when we know. */
export function providerUnavailableLocation(problem: Diagnosis | undefined): string {
  return problem
    ? loginErrorLocation('provider_unavailable', `The identity provider could not be used. ${problem.cause}`, problem.fix)
    : loginErrorLocation('provider_unavailable', 'The identity provider could not be reached. Please try again shortly.');
}
