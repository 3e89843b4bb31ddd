import type { ReactNode } from 'react';
import { PageHeading } from '../ui/PageHeading.tsx';
import type { SignedInSession } from './useSession.ts';
import { useSession } from './useSession.ts';

interface SessionGateProps {
  /** What to show when nobody is signed in. */
  signedOut: ReactNode;
  children: (session: SignedInSession) => ReactNode;
}

/** Shows the loading, error, signed-out or signed-in variant of a screen. */
export function SessionGate({ signedOut, children }: SessionGateProps) {
  const session = useSession();
  if (session.isPending) {
    return (
      <p role="status" className="loading">
        Checking your session…
      </p>
    );
  }
  if (session.isError) {
    return (
      <>
        <PageHeading>Cannot reach the server</PageHeading>
        <div role="alert" className="alert alert-error">
          <p>We could not check whether you are signed in. Check your connection, then try again.</p>
        </div>
        <button type="button" className="button" onClick={() => void session.refetch()}>
          Try again
        </button>
      </>
    );
  }
  return session.data.authenticated ? children(session.data) : signedOut;
}
