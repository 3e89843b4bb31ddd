import type { ReactNode } from 'react';
import { currentPath, signIn, useSession } from '../bff/index.ts';
import { PageHeading } from '../ui/PageHeading.tsx';
import { useDocumentTitle } from '../ui/useDocumentTitle.ts';
import type { SignedInSession } from './session.ts';

interface SessionGateProps {
  /** What to show when nobody is signed in. */
  signedOut: ReactNode;
  children: (session: SignedInSession) => ReactNode;
}

/**
 * Shows the loading, error, signed-out or signed-in variant of a screen. A session that just
 * ended (an API call said so) gets its own signed-out variant: one message, one button.
 */
export function SessionGate({ signedOut, children }: SessionGateProps) {
  const session = useSession();
  switch (session.status) {
    case 'loading':
      return (
        <p role="status" className="loading">
          Checking your session…
        </p>
      );
    case 'error':
      return (
        <>
          <PageHeading>Cannot reach the server</PageHeading>
          <div role="alert" className="alert alert-error">
            <p>We could not check whether you are signed in. Check your connection, then try again.</p>
          </div>
          {/* When this works the button disappears; useFocusRescue then moves focus to the new page's heading. */}
          <button type="button" className="button" onClick={session.refetch}>
            Try again
          </button>
        </>
      );
    case 'signedIn':
      return children(session);
    case 'signedOut':
      return session.signInAgain ? <SessionEnded expired={session.signInAgain === 'session_expired'} /> : signedOut;
  }
}

function SessionEnded({ expired }: { expired: boolean }) {
  const title = expired ? 'Your session has expired' : 'You are no longer signed in';
  useDocumentTitle(title);
  return (
    <>
      <PageHeading>{title}</PageHeading>
      {/* The one announcement of the ended session (the banner stays away once this shows). */}
      <p role="alert">Sign in again to continue where you were.</p>
      <button type="button" className="button button-primary" onClick={() => signIn(currentPath())}>
        Sign in again
      </button>
    </>
  );
}
