import { currentPath, signIn } from './navigation.ts';
import { useSignInAgainNotice } from './signInAgain.ts';

/** Shown when any call reported `unauthenticated` / `session_expired`; returns to this very page. */
export function SignInAgainBanner() {
  const code = useSignInAgainNotice();
  if (code === undefined) return null;
  return (
    <div role="alert" className="banner">
      <p>{code === 'session_expired' ? 'Your session has expired.' : 'You are no longer signed in.'}</p>
      <button type="button" className="button button-primary" onClick={() => signIn(currentPath())}>
        Sign in again
      </button>
    </div>
  );
}
