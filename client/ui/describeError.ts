import { BffHttpError, BffNetworkError, BffProblemError, BffResponseError, BffStepUpError, isForbidden, isSignInAgainError } from '../bff/index.ts';

/** One sentence a user can act on, for any error a BFF call can throw. */
export function describeError(error: unknown, action: string): string {
  if (isForbidden(error)) return `Not allowed: your account may not ${action}.`;
  if (isSignInAgainError(error)) return `Could not ${action}: your session has ended.`;
  if (error instanceof BffStepUpError && error.following) return `To ${action}, sign in again with a stronger method: taking you there…`;
  if (error instanceof BffProblemError) {
    const { title, detail } = error.problem;
    return `Could not ${action}: ${detail ? `${title}. ${detail}` : title}`;
  }
  if (error instanceof BffNetworkError) return `Could not ${action}: the server could not be reached. Check your connection and try again.`;
  if (error instanceof BffHttpError) return `Could not ${action}: the server answered with status ${error.status}.`;
  if (error instanceof BffResponseError) return `Could not ${action}: the server sent an unexpected response.`;
  return `Could not ${action}: something went wrong.`;
}
