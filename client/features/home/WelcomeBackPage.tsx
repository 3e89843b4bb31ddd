import { displayName } from '../../auth/session.ts';
import type { SignedInSession } from '../../auth/session.ts';
import { Link } from '../../router/Link.tsx';
import { PageHeading } from '../../ui/PageHeading.tsx';
import { useDocumentTitle } from '../../ui/useDocumentTitle.ts';
import { canEditNotes, roleLabel } from '../api-panel/permissions.ts';

/** The signed-in home screen: who you are and what your role lets you do here. */
export function WelcomeBackPage({ session }: { session: SignedInSession }) {
  const name = displayName(session.user);
  const role = roleLabel(session.user);
  useDocumentTitle(name);
  return (
    <>
      <PageHeading>{name}</PageHeading>
      <p className="lead">
        Welcome back. You are signed in{role ? <> as {role}</> : null}.{' '}
        {canEditNotes(session.user)
          ? 'You can read, add and delete the shared notes.'
          : 'You can read the shared notes; adding and deleting them is for editors.'}
      </p>
      <ul className="link-list">
        <li>
          <Link to="/api-panel">Open the API panel</Link>: the shared notes, and what the downstream API makes of you.
        </li>
        <li>
          <Link to="/profile">See your profile</Link>: the claims your session at the BFF holds (never a token).
        </li>
      </ul>
    </>
  );
}
