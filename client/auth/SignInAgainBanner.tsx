import { useRef } from 'react';
import { currentPath, signIn, useSession } from '../bff/index.ts';

/**
 * Shown when a call reported `unauthenticated` / `session_expired` while the BFF still says the
 * session is there; returns to this very page. While the session is first re-read, and once it
 * reads signed out, the screen itself says so (SessionGate): one message and one button, not two.
 */
export function SignInAgainBanner() {
  const session = useSession();
  const code = session.signInAgain;
  // Once up, the banner stays through later re-reads (window focus): an alert that blinks out and
  // back in would be announced again.
  const shown = useRef(false);
  const visible = code !== undefined && session.status === 'signedIn' && (!session.isFetching || shown.current);
  shown.current = visible;
  if (!visible) return null;
  return (
    <div role="alert" className="banner">
      <p>{code === 'session_expired' ? 'Your session has expired.' : 'You are no longer signed in.'}</p>
      <button type="button" className="button button-primary" onClick={() => signIn(currentPath())}>
        Sign in again
      </button>
    </div>
  );
}
