import { isSignInAgainError } from '../bff/index.ts';
import { describeError } from './describeError.ts';

/**
 * Announced at once by screen readers (role="alert"); the text is always built from data, never
 * HTML. A session that ended is not repeated here: the sign-in-again banner or screen says it, once.
 */
export function ErrorAlert({ error, action }: { error: unknown; action: string }) {
  if (isSignInAgainError(error)) return null;
  return (
    <div role="alert" className="alert alert-error">
      <p>{describeError(error, action)}</p>
    </div>
  );
}
